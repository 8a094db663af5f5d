/**
 * The query plans the Ficus executor runs: Apollo's plan shape (Fetch, Flatten, Sequence,
 * Parallel, Condition, Defer), plus Hive's BatchFetch, with paths and rewrites already parsed.
 * Each planner's output is translated into this once, when the plan is cached.
 */
export type PlanNode = FetchNode | BatchFetchNode | SequenceNode | ParallelNode | FlattenNode | ConditionNode | DeferNode;

export interface QueryPlan {
  node: PlanNode | null;
}

/** How a subscription runs: the stream from one subgraph, then the rest of the plan per event. */
export interface SubscriptionQueryPlan {
  primary: FetchStep;
  rest: PlanNode | null;
}

export type OperationKind = 'query' | 'mutation' | 'subscription';

/** One request to one subgraph. */
export interface FetchStep {
  serviceName: string;
  operation: string;
  operationName: string | null;
  operationKind: OperationKind;
  /** The client's variables the operation uses. */
  variableUsages: readonly string[];
  /** Present on an entity fetch: what of each entity becomes its representation. */
  requires: readonly RequiresSelection[] | null;
  inputRewrites: readonly DataRewrite[];
  outputRewrites: readonly DataRewrite[];
  /** The id a deferred part may depend on. */
  id: string | null;
}

export interface FetchNode extends FetchStep {
  kind: 'Fetch';
}

/** One request completing entities of several kinds, each under its own alias of `_entities`. */
export interface BatchFetchNode {
  kind: 'BatchFetch';
  serviceName: string;
  operation: string;
  operationName: string | null;
  variableUsages: readonly string[];
  members: readonly EntityBatchMember[];
}

export interface EntityBatchMember {
  alias: string;
  representationsVariable: string;
  /** Where the entities are in the response so far: each path is collected. */
  paths: readonly (readonly PathSegment[])[];
  requires: readonly RequiresSelection[];
  inputRewrites: readonly DataRewrite[];
  outputRewrites: readonly DataRewrite[];
}

export interface SequenceNode {
  kind: 'Sequence';
  nodes: readonly PlanNode[];
}

export interface ParallelNode {
  kind: 'Parallel';
  nodes: readonly PlanNode[];
}

export interface FlattenNode {
  kind: 'Flatten';
  path: readonly PathSegment[];
  node: PlanNode;
}

/** Runs `ifClause` when the boolean variable is true (from @skip/@include on a deferred fragment), else `elseClause`. */
export interface ConditionNode {
  kind: 'Condition';
  condition: string;
  ifClause: PlanNode | null;
  elseClause: PlanNode | null;
}

export interface DeferNode {
  kind: 'Defer';
  primary: PlanNode | null;
  deferred: readonly DeferredPart[];
}

export interface DeferredPart {
  /** Fetch ids of the primary part this one needs first. */
  dependsOn: readonly string[];
  label: string | null;
  /** Response path of the deferred fragment's parent, without list indices. */
  queryPath: readonly string[];
  node: PlanNode | null;
}

/** A step along a path in the response: a field, every item of a list, or only objects of some types. */
export type PathSegment = { kind: 'field'; name: string } | { kind: 'list' } | { kind: 'types'; names: readonly string[] };

export type RequiresSelection =
  | {
      kind: 'Field';
      name: string;
      alias: string | null;
      /**
       * Where the value is read in the response so far, when not under its representation key
       * (`alias ?? name`): Hive's planner fetches a @requires field with other arguments than the
       * client's under an internal alias, and names that alias here.
       */
      source: string | null;
      selections: readonly RequiresSelection[] | null;
    }
  | { kind: 'InlineFragment'; typeCondition: string | null; selections: readonly RequiresSelection[] };

/** A change made to a representation before it is sent, or to an entity received, at a path. */
export type DataRewrite =
  | { kind: 'ValueSetter'; path: readonly RewriteSegment[]; setValueTo: unknown }
  | { kind: 'KeyRenamer'; path: readonly RewriteSegment[]; renameKeyTo: string };

export type RewriteSegment = { kind: 'field'; name: string } | { kind: 'types'; names: readonly string[] };
