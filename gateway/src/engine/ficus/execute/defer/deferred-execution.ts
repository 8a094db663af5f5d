import { GraphQLObjectType, GraphQLSchema, isObjectType } from 'graphql';
import type { EngineResult, IncrementalPayload, IncrementalResult, SubsequentResult } from '../../../engine';
import type { DeferredPart, PlanNode } from '../../plan/query-plan';
import { executeNode, PlanExecution, ResponseError } from '../execute-plan';
import { deepMerge, isObject, ResponseObject, ResponsePath } from '../response-data';
import type { ResponseShaper } from '../shape-response';
import type { DeferredFragment, DeferredOperation } from './deferred-operation';
import type { FragmentShapers } from './fragment-shapers';
import { PayloadQueue } from './payload-queue';

/** How one deferred operation's parts are shaped. */
export interface DeferredShapes {
  operation: DeferredOperation;
  /** The operation without its deferred fragments. */
  initial: ResponseShaper;
  fragments: FragmentShapers;
  schema: GraphQLSchema;
}

/**
 * Runs a plan with Defer nodes incrementally: the primary part, then the initial result shaped
 * without the deferred fragments; each deferred part runs once the part holding it is done and
 * is delivered as soon as it completes, one payload per object its fragment completes. Each part
 * keeps its own errors, so they go with the payload whose data they concern. A plan without a
 * Defer node at its root runs whole and is answered by `whole`.
 */
export async function executeIncrementally(
  root: PlanNode | null,
  shapes: DeferredShapes,
  execution: PlanExecution,
  whole: (data: ResponseObject, errors: ResponseError[]) => EngineResult,
): Promise<EngineResult | IncrementalResult> {
  const node = chosen(root, execution.variables);
  if (node?.kind !== 'Defer') {
    if (node) await executeNode(node, execution);
    return whole(execution.data, execution.errors);
  }
  const primary = chosen(node.primary, execution.variables);
  if (primary) await executeNode(primary, execution);
  const shaped = shapes.initial.shape(execution.data, execution.errors, execution.variables);
  const queue = new PayloadQueue();
  const hasNext = shaped.data !== null && node.deferred.length > 0;
  const initial: IncrementalResult['initial'] = shaped.errors.length > 0 ? { data: shaped.data, errors: shaped.errors, hasNext } : { data: shaped.data, hasNext };
  if (hasNext) new Delivery(shapes, execution, structuredClone(shaped.data!), queue).start(node.deferred);
  return { initial, subsequent: queue };
}

/** A Condition node's branch for these variables, followed down to a node that is not one. */
function chosen(node: PlanNode | null, variables: Record<string, unknown>): PlanNode | null {
  let at = node;
  while (at?.kind === 'Condition') at = variables[at.condition] === true ? at.ifClause : at.elseClause;
  return at;
}

class Delivery {
  private pending = 0;

  constructor(
    private readonly shapes: DeferredShapes,
    private readonly execution: PlanExecution,
    /** The response as the client has it so far: deferred fragments inside deferred fragments are found in it. */
    private readonly view: ResponseObject,
    private readonly queue: PayloadQueue,
  ) {}

  start(parts: readonly DeferredPart[]): void {
    this.pending += parts.length;
    for (const part of parts) void this.run(part);
  }

  private async run(part: DeferredPart): Promise<void> {
    const own: PlanExecution = { ...this.execution, errors: [] };
    let node = chosen(part.node, own.variables);
    // A deferred fragment inside this one: this part's fetches are its primary.
    let nested: readonly DeferredPart[] = [];
    if (node?.kind === 'Defer') {
      nested = node.deferred;
      node = chosen(node.primary, own.variables);
    }
    let result: SubsequentResult;
    try {
      if (node) await executeNode(node, own);
      result = this.payloads(part, own.errors);
    } catch (err) {
      result = { errors: [{ message: `the gateway failed to complete a deferred fragment: ${(err as Error).message}`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }], hasNext: true };
      nested = [];
    }
    this.pending += nested.length - 1;
    result.hasNext = this.pending > 0;
    this.queue.push(result);
    for (const inner of nested) void this.run(inner);
  }

  /** The fragment's fields on each object it completes, with the errors under each. */
  private payloads(part: DeferredPart, errors: ResponseError[]): SubsequentResult {
    const fragment = part.label === null ? undefined : this.shapes.operation.fragments.get(part.label);
    if (!fragment) return errors.length > 0 ? { errors, hasNext: true } : { hasNext: true };
    const incremental: IncrementalPayload[] = [];
    const placed = new Set<ResponseError>();
    for (const path of objectPaths(this.view, fragment.parentPath)) {
      const source = valueAt(this.execution.data, path);
      if (!isObject(source)) continue;
      const type = this.runtimeType(fragment, source);
      if (!type || !this.shapes.fragments.applies(fragment.typeCondition, type)) continue;
      const relative: ResponseError[] = [];
      for (const error of errors) {
        if (!error.path || !startsWith(error.path, path)) continue;
        placed.add(error);
        relative.push({ ...error, path: error.path.slice(path.length) });
      }
      const shaped = this.shapes.fragments.shaperFor(fragment, type).shape(source, relative, this.execution.variables);
      const payload: IncrementalPayload = { data: shaped.data, path };
      if (fragment.label !== null) payload.label = fragment.label;
      if (shaped.errors.length > 0) payload.errors = shaped.errors.map((error) => ({ ...error, path: [...path, ...(error.path ?? [])] }));
      incremental.push(payload);
      const seen = valueAt(this.view, path);
      if (shaped.data && isObject(seen)) deepMerge(seen, structuredClone(shaped.data));
    }
    const unplaced = errors.filter((error) => !placed.has(error));
    if (unplaced.length === 0) return incremental.length > 0 ? { incremental, hasNext: true } : { hasNext: true };
    if (incremental.length === 0) return { errors: unplaced, hasNext: true };
    const first = incremental[0]!;
    first.errors = [...(first.errors ?? []), ...unplaced];
    return { incremental, hasNext: true };
  }

  private runtimeType(fragment: DeferredFragment, source: ResponseObject): GraphQLObjectType | null {
    if (typeof source.__typename === 'string') {
      const type = this.shapes.schema.getType(source.__typename);
      return type && isObjectType(type) ? type : null;
    }
    return isObjectType(fragment.parentType) ? fragment.parentType : null;
  }
}

/** The paths (with list indices) of the objects at `names`, lists walked item by item. */
function objectPaths(root: unknown, names: readonly string[]): ResponsePath[] {
  const found: ResponsePath[] = [];
  const walk = (value: unknown, at: number, path: ResponsePath): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, at, [...path, index]));
      return;
    }
    if (!isObject(value)) return;
    if (at === names.length) {
      found.push(path);
      return;
    }
    const name = names[at]!;
    walk(value[name], at + 1, [...path, name]);
  };
  walk(root, 0, []);
  return found;
}

function valueAt(root: unknown, path: ResponsePath): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function startsWith(path: readonly (string | number)[], prefix: ResponsePath): boolean {
  if (path.length < prefix.length) return false;
  return prefix.every((key, i) => path[i] === key);
}
