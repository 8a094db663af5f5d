import type * as FederationInternals from '@apollo/federation-internals';
import type * as ApolloQueryPlanner from '@apollo/query-planner';
import type { DocumentNode } from 'graphql';
import type * as SupergraphSchemas from '../../supergraph-schemas';
import type { QueryPlan } from '../plan/query-plan';
import { queryPlanFromApollo } from './apollo-plan-translation';
import { OverrideState, PlanningError } from './planner';

/**
 * @apollo/query-planner with incremental delivery on: it plans @defer as Defer nodes (the primary
 * part, and each deferred fragment after the fetches it depends on), which Hive's planner inlines.
 * Only operations with an active @defer come here, so it is built on first use, once per supergraph:
 * a gateway that never defers carries neither it nor @apollo/federation-internals (14 MB).
 */
export class ApolloDeferPlanner {
  private built: Built | null = null;

  constructor(
    private readonly supergraphSdl: string,
    /** The supergraph's @override labels: `percent(N)` ones, and the others. */
    private readonly overridePercentages: readonly number[],
    private readonly overrideLabels: readonly string[],
  ) {}

  plan(document: DocumentNode, operationName: string | null, overrides: OverrideState): QueryPlan {
    const { planner, apiSchema, operationFromDocument } = this.build();
    try {
      const operation = operationFromDocument(apiSchema, document, { operationName: operationName ?? undefined });
      return queryPlanFromApollo(planner.buildQueryPlan(operation, { overrideConditions: this.conditions(overrides) }));
    } catch (err) {
      if (err instanceof PlanningError) throw err;
      throw new PlanningError(`the operation cannot be planned: ${(err as Error).message}`, 'QUERY_PLANNING_FAILED');
    }
  }

  private build(): Built {
    if (!this.built) {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { QueryPlanner } = require('@apollo/query-planner') as typeof ApolloQueryPlanner;
      const { operationFromDocument } = require('@apollo/federation-internals') as typeof FederationInternals;
      const { readSupergraph } = require('../../supergraph-schemas') as typeof SupergraphSchemas;
      /* eslint-enable @typescript-eslint/no-require-imports */
      const { supergraph, apiSchema } = readSupergraph(this.supergraphSdl);
      this.built = { planner: new QueryPlanner(supergraph, { incrementalDelivery: { enableDefer: true } }), apiSchema, operationFromDocument };
    }
    return this.built;
  }

  /** The labels in force for this request, as the Hive planner draws them. */
  private conditions(overrides: OverrideState): Map<string, boolean> {
    const conditions = new Map<string, boolean>();
    for (const percentage of this.overridePercentages) conditions.set(`percent(${percentage})`, overrides.percentile < percentage);
    for (const label of this.overrideLabels) conditions.set(label, overrides.labels.has(label));
    return conditions;
  }
}

interface Built {
  planner: ApolloQueryPlanner.QueryPlanner;
  apiSchema: FederationInternals.Schema;
  operationFromDocument: typeof FederationInternals.operationFromDocument;
}
