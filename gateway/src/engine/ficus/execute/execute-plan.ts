import { Kind, OperationDefinitionNode, parse } from 'graphql';
import type { BatchFetchNode, EntityBatchMember, FetchStep, PathSegment, PlanNode } from '../plan/query-plan';
import { applyRewrites, collectAtPath, deepMerge, isObject, representationOf, ResponseObject, ResponsePath, TypeMatcher } from './response-data';
import type { SubgraphClient, SubgraphError, SubgraphResult } from './subgraph-client';
import { variablesUsed } from '../../variables-used';

/** An error in the response, as the client will see it. */
export interface ResponseError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface PlanExecution {
  /** The merged data of every fetch so far: the executor fills it, the response is shaped from it. */
  data: ResponseObject;
  errors: ResponseError[];
  /** The client's variables, coerced. */
  variables: Record<string, unknown>;
  /** What every subgraph request carries from the client request. */
  headers: Record<string, string>;
  /** Whether the client operation only reads (its fetches may be shared and retried). */
  reads: boolean;
  clientFor(subgraph: string): SubgraphClient | undefined;
  matches: TypeMatcher;
}

/** Runs a plan's fetches in its order, merging each response into `execution.data`. */
export async function executeNode(node: PlanNode, execution: PlanExecution): Promise<void> {
  switch (node.kind) {
    case 'Sequence':
      for (const child of node.nodes) await executeNode(child, execution);
      return;
    case 'Parallel':
      await Promise.all(node.nodes.map((child) => executeNode(child, execution)));
      return;
    case 'Fetch':
      return node.requires ? fetchEntities(node, [], execution) : fetchRoot(node, execution);
    case 'Flatten':
      // A fragment deferred on the root type is planned as a root fetch flattened at the root.
      if (node.node.kind === 'Fetch' && !node.node.requires && node.path.length === 0) return fetchRoot(node.node, execution);
      if (node.node.kind !== 'Fetch' || !node.node.requires) throw new Error(`a Flatten node over ${node.node.kind} is not an entity fetch`);
      return fetchEntities(node.node, node.path, execution);
    case 'BatchFetch':
      return fetchBatch(node, execution);
    case 'Condition': {
      const branch = execution.variables[node.condition] === true ? node.ifClause : node.elseClause;
      if (branch) await executeNode(branch, execution);
      return;
    }
    case 'Defer':
      // Outside an incremental response every part runs, primary first.
      if (node.primary) await executeNode(node.primary, execution);
      await Promise.all(node.deferred.map((part) => (part.node ? executeNode(part.node, execution) : undefined)));
      return;
  }
}

async function fetchRoot(step: FetchStep, execution: PlanExecution): Promise<void> {
  const result = await send(step.serviceName, step.operation, step.operationName, variablesUsed(execution.variables, step.variableUsages), execution);
  if (!result.ok) {
    for (const key of rootKeysOf(step.operation)) execution.errors.push(failureError(step.serviceName, result, [key]));
    return;
  }
  const { data, errors } = result.body;
  if (errors) for (const error of errors) execution.errors.push(subgraphError(error, step.serviceName, error.path));
  if (isObject(data)) {
    applyRewrites(data, step.outputRewrites, execution.matches);
    deepMerge(execution.data, data);
  }
}

/** The entities at `path`, deduplicated into representations, completed by one `_entities` request. */
async function fetchEntities(step: FetchStep, path: readonly PathSegment[], execution: PlanExecution): Promise<void> {
  const batch = entityBatch(execution, [path], step.requires!, step.inputRewrites);
  if (!batch) return;
  const variables = variablesUsed(execution.variables, step.variableUsages);
  variables.representations = batch.representations;
  const result = await send(step.serviceName, step.operation, step.operationName, variables, execution);
  if (!result.ok) {
    for (const entityPath of batch.paths()) execution.errors.push(failureError(step.serviceName, result, entityPath));
    return;
  }
  const { data, errors } = result.body;
  if (errors) for (const error of errors) execution.errors.push(subgraphError(error, step.serviceName, entityErrorPath(error.path, '_entities', batch)));
  mergeEntities(data?._entities, batch, step.outputRewrites, step.serviceName, execution);
}

/** Several kinds of entities completed in one request, each under its own alias of `_entities`. */
async function fetchBatch(node: BatchFetchNode, execution: PlanExecution): Promise<void> {
  const variables = variablesUsed(execution.variables, node.variableUsages);
  const batches = new Map<string, { member: EntityBatchMember; batch: EntityBatch }>();
  for (const member of node.members) {
    const batch = entityBatch(execution, member.paths, member.requires, member.inputRewrites);
    variables[member.representationsVariable] = batch?.representations ?? [];
    if (batch) batches.set(member.alias, { member, batch });
  }
  if (batches.size === 0) return;
  const result = await send(node.serviceName, node.operation, node.operationName, variables, execution);
  if (!result.ok) {
    for (const { batch } of batches.values()) for (const entityPath of batch.paths()) execution.errors.push(failureError(node.serviceName, result, entityPath));
    return;
  }
  const { data, errors } = result.body;
  for (const error of errors ?? []) {
    const alias = typeof error.path?.[0] === 'string' ? error.path[0] : undefined;
    const owner = alias === undefined ? undefined : batches.get(alias);
    execution.errors.push(subgraphError(error, node.serviceName, owner ? entityErrorPath(error.path, alias!, owner.batch) : undefined));
  }
  for (const [alias, { member, batch }] of batches) mergeEntities(data?.[alias], batch, member.outputRewrites, node.serviceName, execution);
}

interface EntityBatch {
  entities: ResponseObject[];
  /** Each entity's index into `representations` (equal representations are sent once). */
  sentAs: number[];
  representations: ResponseObject[];
  /** Each entity's response path: computed only when an error needs it. */
  paths(): ResponsePath[];
}

function entityBatch(
  execution: PlanExecution,
  paths: readonly (readonly PathSegment[])[],
  requires: NonNullable<FetchStep['requires']>,
  inputRewrites: FetchStep['inputRewrites'],
): EntityBatch | null {
  const found: ResponseObject[] = [];
  for (const path of paths) collectAtPath(execution.data, path, execution.matches, undefined, found);
  const entities: ResponseObject[] = [];
  const sentAs: number[] = [];
  const sent = new SentRepresentations();
  const entityIndices: number[] = [];
  for (let i = 0; i < found.length; i++) {
    const entity = found[i]!;
    const representation = representationOf(entity, requires, execution.matches);
    if (!representation) continue;
    if (inputRewrites.length > 0) applyRewrites(representation, inputRewrites, execution.matches);
    entities.push(entity);
    sentAs.push(sent.indexOf(representation));
    entityIndices.push(i);
  }
  const representations = sent.list;
  if (representations.length === 0) return null;
  return {
    entities,
    sentAs,
    representations,
    paths() {
      const all: ResponsePath[] = [];
      for (const path of paths) collectAtPath(execution.data, path, execution.matches, all);
      return entityIndices.map((i) => all[i] ?? []);
    },
  };
}

function mergeEntities(received: unknown, batch: EntityBatch, outputRewrites: FetchStep['outputRewrites'], subgraph: string, execution: PlanExecution): void {
  if (!Array.isArray(received) || received.length !== batch.representations.length) {
    if (received !== null && received !== undefined) {
      execution.errors.push({
        message: `subgraph "${subgraph}" answered ${Array.isArray(received) ? received.length : 'no list of'} entities for ${batch.representations.length} representations`,
        extensions: { code: 'SUBREQUEST_MALFORMED_RESPONSE', serviceName: subgraph },
      });
    }
    return;
  }
  if (outputRewrites.length > 0) for (const entity of received) applyRewrites(entity, outputRewrites, execution.matches);
  const merged = new Set<number>();
  for (let i = 0; i < batch.entities.length; i++) {
    const index = batch.sentAs[i]!;
    const value = received[index];
    if (!isObject(value)) continue;
    // Several entities may share one answer: each after the first merges its own copy.
    deepMerge(batch.entities[i]!, merged.has(index) ? copyJson(value) : value);
    merged.add(index);
  }
}

/**
 * The representations to send, each once. The common ones (a typename and one scalar key
 * field) are found by type, field and value in nested maps, with no key string built; the
 * others by their JSON.
 */
class SentRepresentations {
  readonly list: ResponseObject[] = [];
  private readonly byKeyField = new Map<string, Map<string, Map<unknown, number>>>();
  private readonly byJson = new Map<string, number>();

  /** The index of an equal representation already listed, else of this one, listed now. */
  indexOf(representation: ResponseObject): number {
    let typename: unknown;
    let keyField: string | undefined;
    let fields = 0;
    for (const name in representation) {
      fields++;
      if (name === '__typename') typename = representation[name];
      else keyField = name;
    }
    const value = keyField === undefined ? undefined : representation[keyField];
    if (fields !== 2 || typeof typename !== 'string' || (typeof value !== 'string' && typeof value !== 'number')) {
      return this.found(this.byJson, JSON.stringify(representation), representation);
    }
    let byField = this.byKeyField.get(typename);
    if (!byField) this.byKeyField.set(typename, (byField = new Map()));
    let byValue = byField.get(keyField!);
    if (!byValue) byField.set(keyField!, (byValue = new Map()));
    return this.found(byValue, value, representation);
  }

  private found<K>(index: Map<K, number>, key: K, representation: ResponseObject): number {
    let at = index.get(key);
    if (at === undefined) {
      at = this.list.length;
      index.set(key, at);
      this.list.push(representation);
    }
    return at;
  }
}

/** A copy of parsed JSON (objects, arrays, primitives): cheaper than structuredClone for it. */
function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = copyJson((value as Record<string, unknown>)[key]);
  return copy as T;
}

function send(subgraph: string, query: string, operationName: string | null, variables: Record<string, unknown>, execution: PlanExecution): Promise<SubgraphResult> {
  const client = execution.clientFor(subgraph);
  if (!client) return Promise.resolve({ ok: false, failure: 'bad-response', message: `no routing URL for subgraph "${subgraph}"` });
  return client.send({ query, operationName, variables, headers: execution.headers, reads: execution.reads });
}

/** An `_entities.<i>…` error path as the path of the entity sent as representation i. */
function entityErrorPath(path: SubgraphError['path'], root: string, batch: EntityBatch): ResponsePath | undefined {
  if (!path || path[0] !== root || typeof path[1] !== 'number') return undefined;
  const entity = batch.sentAs.indexOf(path[1]);
  if (entity < 0) return undefined;
  return [...(batch.paths()[entity] ?? []), ...path.slice(2)];
}

function subgraphError(error: SubgraphError, serviceName: string, path: ResponsePath | undefined): ResponseError {
  const message = typeof error.message === 'string' ? error.message : `subgraph "${serviceName}" sent an error without a message`;
  const extensions = isObject(error.extensions) ? { ...error.extensions, serviceName } : { serviceName };
  return path && path.length > 0 ? { message, path, extensions } : { message, extensions };
}

function failureError(serviceName: string, result: Extract<SubgraphResult, { ok: false }>, path: ResponsePath): ResponseError {
  const code = result.code ?? (result.failure === 'unavailable' ? 'SUBGRAPH_UNAVAILABLE' : 'SUBREQUEST_HTTP_ERROR');
  const extensions = result.failure === 'unavailable' ? { code, serviceName } : { code, serviceName, reason: result.failure };
  return { message: result.message, path, extensions };
}


const rootKeys = new Map<string, string[]>();

/** The response keys a root fetch fills, where its failure is reported. */
function rootKeysOf(operation: string): string[] {
  let keys = rootKeys.get(operation);
  if (!keys) {
    const definition = parse(operation).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    keys = (definition?.selectionSet.selections ?? []).flatMap((s) => (s.kind === Kind.FIELD && s.name.value !== '__typename' ? [s.alias?.value ?? s.name.value] : []));
    if (rootKeys.size > 10_000) rootKeys.clear();
    rootKeys.set(operation, keys);
  }
  return keys;
}
