import type { QueryPlan, SubscriptionQueryPlan } from '../plan/query-plan';

/** An operation to plan: its text (after authorization removed what the caller may not see). */
export interface OperationToPlan {
  text: string;
  operationName: string | null;
}

/** Which progressive @override labels are in force for one request. */
export interface OverrideState {
  /** Labels switched on by config (any label that is not `percent(N)`). */
  labels: ReadonlySet<string>;
  /** The request's draw in [0, 100): a `percent(N)` label is in force when it is below N. */
  percentile: number;
}

/** Plans operations of one supergraph. One implementation per planner, chosen by config. */
export interface Planner {
  /** The `percent(N)` values the supergraph's @override labels use. */
  readonly overridePercentages: readonly number[];
  /** The other @override labels, switched by config. */
  readonly overrideLabels: readonly string[];
  planQuery(operation: OperationToPlan, overrides: OverrideState, signal: AbortSignal): Promise<QueryPlan>;
  planSubscription(operation: OperationToPlan, overrides: OverrideState, signal: AbortSignal): Promise<SubscriptionQueryPlan>;
}

/** The planner could not plan an operation (it cannot be served by the subgraphs, or planning took too long). */
export class PlanningError extends Error {
  constructor(
    message: string,
    readonly code: 'QUERY_PLANNING_FAILED' | 'QUERY_PLANNING_TIMEOUT',
  ) {
    super(message);
    this.name = 'PlanningError';
  }
}
