import { FieldNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, parse, SelectionSetNode } from 'graphql';
import type { FetchStep, PathSegment, PlanNode, QueryPlan, RequiresSelection } from './query-plan';

/**
 * Where in the response a part of a plan reads and writes, as paths of response keys. List items
 * and type conditions are left out, so two paths that may meet compare equal: coarser, never
 * finer, than the data. Null: not known (a mutation, rewrites, a batch, a condition), which
 * depends on everything.
 */
interface Footprint {
  /** The objects an entity fetch walks to find its entities. */
  walks: readonly (readonly string[])[];
  /** The fields it reads into its representations. */
  reads: readonly (readonly string[])[];
  /** The fields it fills in (with whatever is under them). */
  writes: readonly (readonly string[])[];
}

interface Part {
  node: PlanNode;
  footprint: Footprint | null;
}

/**
 * The plan with each fetch waiting only for the fetches whose data it reads. Planners give a
 * query's fetches as a Sequence of stages, each stage waiting for the whole stage before it; a
 * fetch that needs only one fetch of that stage then waits for the slowest of them. Read from the
 * last stage back, each stage is chained only to the parts of the stage before that it depends
 * on (it reads what they write, they read what it writes, or both write one place); the other
 * parts run beside the chain. The fetches, and the order of every two that depend on each other,
 * stay as planned.
 */
export function withFetchesWaitingOnlyForTheirInputs(plan: QueryPlan): QueryPlan {
  return plan.node && fetchesIn(plan.node) <= maxFetchesLoosened ? { node: loosened(plan.node) } : plan;
}

/**
 * Comparing footprints grows with the square of the fetches, on the event loop: a plan of a few
 * thousand fetches (a hostile query) took seconds. Real plans have a handful; past this many
 * the planner's order stands.
 */
export const maxFetchesLoosened = 100;

function fetchesIn(node: PlanNode): number {
  switch (node.kind) {
    case 'Sequence':
    case 'Parallel':
      return node.nodes.reduce((sum, child) => sum + fetchesIn(child), 0);
    case 'Flatten':
      return fetchesIn(node.node);
    default:
      return 1;
  }
}

function loosened(node: PlanNode): PlanNode {
  if (node.kind === 'Parallel') return { kind: 'Parallel', nodes: node.nodes.map(loosened) };
  if (node.kind !== 'Sequence') return node;
  const stages: Part[][] = node.nodes.map(loosened).map((child) => (child.kind === 'Parallel' ? child.nodes : [child]).map(partOf));
  for (let k = stages.length - 1; k >= 1; k--) {
    const [before, after] = [stages[k - 1]!, stages[k]!];
    const waitedFor = before.filter((part) => after.some((next) => dependent(part, next)));
    if (waitedFor.length === before.length) continue;
    const besides = before.filter((part) => !waitedFor.includes(part));
    const chain: Part = { node: sequence([parallel(waitedFor), parallel(after)]), footprint: union([...waitedFor, ...after]) };
    stages.splice(k - 1, 2, waitedFor.length === 0 ? [...before, ...after] : [chain, ...besides]);
  }
  return sequence(stages.map(parallel));
}

const parallel = (parts: Part[]): PlanNode => (parts.length === 1 ? parts[0]!.node : { kind: 'Parallel', nodes: parts.map((p) => p.node) });
const sequence = (nodes: PlanNode[]): PlanNode => (nodes.length === 1 ? nodes[0]! : { kind: 'Sequence', nodes });

function dependent(a: Part, b: Part): boolean {
  if (!a.footprint || !b.footprint) return true;
  return touches(a.footprint.writes, b.footprint) || touches(b.footprint.writes, a.footprint) || a.footprint.writes.some((w) => b.footprint!.writes.some((v) => within(w, v) || within(v, w)));
}

/** Whether writing `writes` can change what `other` walks or reads. */
function touches(writes: Footprint['writes'], other: Footprint): boolean {
  return writes.some((w) => other.walks.some((walked) => within(w, walked)) || other.reads.some((read) => within(w, read) || within(read, w)));
}

/** Whether `path` is `at` or under it. */
function within(at: readonly string[], path: readonly string[]): boolean {
  return at.length <= path.length && at.every((key, i) => key === path[i]);
}

function union(parts: Part[]): Footprint | null {
  if (parts.some((p) => !p.footprint)) return null;
  const footprints = parts.map((p) => p.footprint!);
  return { walks: footprints.flatMap((f) => f.walks), reads: footprints.flatMap((f) => f.reads), writes: footprints.flatMap((f) => f.writes) };
}

function partOf(node: PlanNode): Part {
  if (node.kind === 'Fetch') return { node, footprint: fetchFootprint(node, []) };
  if (node.kind === 'Flatten' && node.node.kind === 'Fetch') {
    const footprint = fetchFootprint(node.node, keysOf(node.path));
    // A type condition on the path is decided by each object's __typename.
    return { node, footprint: footprint && { ...footprint, reads: [...footprint.reads, ...typenamesRead(node.path)] } };
  }
  return { node, footprint: null };
}

function fetchFootprint(fetch: FetchStep, at: string[]): Footprint | null {
  if (fetch.operationKind !== 'query' || fetch.inputRewrites.length > 0 || fetch.outputRewrites.length > 0) return null;
  const written = writtenKeys(fetch.operation, fetch.requires !== null);
  if (!written) return null;
  if (!fetch.requires) return { walks: [], reads: [], writes: written.map((key) => [...at, key]) };
  return {
    walks: at.map((_, i) => at.slice(0, i + 1)),
    reads: requiredPaths(fetch.requires, at),
    writes: written.map((key) => [...at, key]),
  };
}

function keysOf(path: readonly PathSegment[]): string[] {
  return path.flatMap((segment) => (segment.kind === 'field' ? [segment.name] : []));
}

function typenamesRead(path: readonly PathSegment[]): string[][] {
  return path.flatMap((segment, i) => (segment.kind === 'types' ? [[...keysOf(path.slice(0, i)), '__typename']] : []));
}

function requiredPaths(selections: readonly RequiresSelection[], at: readonly string[]): string[][] {
  return selections.flatMap((selection) => {
    if (selection.kind === 'InlineFragment') return requiredPaths(selection.selections, at);
    const path = [...at, selection.source ?? selection.alias ?? selection.name];
    return selection.selections ? [path, ...requiredPaths(selection.selections, path)] : [path];
  });
}

/**
 * The response keys a fetch fills in: a root fetch's root fields, an entity fetch's fields of
 * its entities (what it selects under `_entities`). Null when the operation says otherwise.
 */
function writtenKeys(operationText: string, entities: boolean): string[] | null {
  let document;
  try {
    document = parse(operationText, { noLocation: true });
  } catch {
    return null;
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) return null;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const root = operations[0]!.selectionSet;
  if (!entities) return fieldKeys(root, fragments);
  const rootKeys = fieldsOf(root, fragments);
  const entityField = rootKeys?.length === 1 && rootKeys[0]!.name.value === '_entities' ? rootKeys[0]! : null;
  return entityField?.selectionSet ? fieldKeys(entityField.selectionSet, fragments) : null;
}

function fieldKeys(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): string[] | null {
  const fields = fieldsOf(set, fragments);
  return fields ? [...new Set(fields.map((f) => f.alias?.value ?? f.name.value))] : null;
}

/** The fields a selection set selects at its own level, through inline fragments and fragment spreads. */
function fieldsOf(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] | null {
  const fields: FieldNode[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      fields.push(selection);
      continue;
    }
    let inner: SelectionSetNode | undefined;
    if (selection.kind === Kind.INLINE_FRAGMENT) inner = selection.selectionSet;
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      inner = fragments.get(selection.name.value)?.selectionSet;
    }
    if (!inner) return null;
    const nested = fieldsOf(inner, fragments, seen);
    if (!nested) return null;
    fields.push(...nested);
  }
  return fields;
}
