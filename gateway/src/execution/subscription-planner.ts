import { buildOperationContext } from '@apollo/gateway';
import { operationFromDocument, Schema, Supergraph } from '@apollo/federation-internals';
import { FetchNode, PlanNode, QueryPlanner } from '@apollo/query-planner';
import { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';

export type OperationContext = ReturnType<typeof buildOperationContext>;

/** How one subscription operation runs: a stream from one subgraph, then the rest of the plan per event. */
export interface SubscriptionPlan {
  /** The subscription the root field's owning subgraph streams. */
  primary: FetchNode;
  /** Fetches from other subgraphs that complete each event; absent when the owner serves every field. */
  rest: PlanNode | undefined;
  operationContext: OperationContext;
}

/** Plans subscriptions for one supergraph (@apollo/gateway plans them but refuses to run them). */
export class SubscriptionPlanner {
  /** The API schema clients validate against. */
  readonly apiGraphQLSchema: GraphQLSchema;
  /** The supergraph schema as graphql-js, which executeQueryPlan needs. */
  readonly supergraphGraphQLSchema: GraphQLSchema;
  readonly apiSchema: Schema;
  /** Subgraph name → routing URL. */
  readonly subgraphUrls: ReadonlyMap<string, string>;
  private readonly planner: QueryPlanner;
  private readonly plans = new Map<string, SubscriptionPlan>();

  constructor(
    /** The sha256 of the supergraph SDL. */
    readonly supergraphId: string,
    /** The supergraph's SDL, whose directives (demand control's @cost, @listSize) the API schema no longer carries. */
    readonly supergraphSdl: string,
  ) {
    const supergraph = Supergraph.build(supergraphSdl);
    this.apiSchema = supergraph.apiSchema();
    this.apiGraphQLSchema = this.apiSchema.toGraphQLJSSchema();
    this.supergraphGraphQLSchema = supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(supergraph);
    const urls = new Map<string, string>();
    for (const subgraph of supergraph.subgraphs().values()) urls.set(subgraph.name, subgraph.url);
    this.subgraphUrls = urls;
  }

  /**
   * Plans a validated subscription document; `cacheKey` (its text and operation name) keeps the
   * plans of operations clients repeat. Throws a GraphQLError when the plan is not a subscription.
   */
  plan(document: DocumentNode, operationName: string | undefined, cacheKey: string): SubscriptionPlan {
    const cached = this.plans.get(cacheKey);
    if (cached) return cached;
    const operationContext = buildOperationContext({ schema: this.apiGraphQLSchema, operationDocument: document, operationName });
    const operation = operationFromDocument(this.apiSchema, document, { operationName });
    const queryPlan = this.planner.buildQueryPlan(operation);
    if (queryPlan.node?.kind !== 'Subscription') {
      throw new GraphQLError('only subscription operations are served over this transport; send queries and mutations over HTTP', {
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    const plan: SubscriptionPlan = { primary: queryPlan.node.primary, rest: queryPlan.node.rest, operationContext };
    // Bounded: distinct operations are few in practice, and a flood of unique ones must not grow memory.
    if (this.plans.size >= maxCachedPlans) this.plans.clear();
    this.plans.set(cacheKey, plan);
    return plan;
  }
}

const maxCachedPlans = 500;
