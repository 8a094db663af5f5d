import { HiveQueryPlanner } from './hive-addon';
import type { QueryPlan, SubscriptionQueryPlan } from '../plan/query-plan';
import { queryPlanFromHive, subscriptionPlanFromHive } from './hive-plan-translation';
import { OperationToPlan, OverrideState, Planner, PlanningError } from './planner';

/**
 * Hive's query planner (Rust, the planner of Hive Router): it passes every case of the
 * federation audit, plans off the event loop, and knows progressive @override.
 */
export class HivePlanner implements Planner {
  private readonly planner: InstanceType<typeof HiveQueryPlanner>;
  readonly overridePercentages: readonly number[];
  readonly overrideLabels: readonly string[];

  constructor(supergraphSdl: string) {
    this.planner = new HiveQueryPlanner(supergraphSdl);
    this.overridePercentages = [...this.planner.overridePercentages];
    this.overrideLabels = [...this.planner.overrideLabels];
  }

  /** The API schema's SDL as the planner derived it from the supergraph (see `apiSchemaOf`). */
  get consumerSchema(): string {
    return this.planner.consumerSchema;
  }

  async planQuery(operation: OperationToPlan, overrides: OverrideState, signal: AbortSignal): Promise<QueryPlan> {
    return queryPlanFromHive(await this.plan(operation, overrides, signal));
  }

  async planSubscription(operation: OperationToPlan, overrides: OverrideState, signal: AbortSignal): Promise<SubscriptionQueryPlan> {
    const plan = subscriptionPlanFromHive(await this.plan(operation, overrides, signal));
    if (!plan) throw new PlanningError('the subscription has no subgraph to stream it', 'QUERY_PLANNING_FAILED');
    return plan;
  }

  private async plan(operation: OperationToPlan, overrides: OverrideState, signal: AbortSignal) {
    try {
      return await this.planner.planAsync(operation.text, operation.operationName, new Set(overrides.labels), overrides.percentile, signal);
    } catch (err) {
      if (signal.aborted) throw new PlanningError('planning the operation took too long', 'QUERY_PLANNING_TIMEOUT');
      throw new PlanningError(`the operation cannot be planned: ${(err as Error).message}`, 'QUERY_PLANNING_FAILED');
    }
  }
}
