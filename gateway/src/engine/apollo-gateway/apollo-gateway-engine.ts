import { buildOperationContext, executeQueryPlan, GraphQLDataSource, ServiceMap } from '@apollo/gateway';
import { operationFromDocument, Schema } from '@apollo/federation-internals';
import { FetchNode, PlanNode, QueryPlan, QueryPlanner } from '@apollo/query-planner';
import type { Logger, RequestSignature } from '@ficus/kit/service';
import type { DocumentNode, FormattedExecutionResult, GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../../execution/gateway-context';
import type { SubgraphResilience } from '../../execution/resilience/subgraph-resilience';
import { fetchWithTimeout, SubgraphDataSource } from '../../execution/subgraph-data-source';
import { Engine, EngineRefusal, EngineRequest, EngineResult, LoadedSupergraph, PlannedSubscription, SupergraphDocument } from '../engine';
import { readSupergraph } from '../supergraph-schemas';
import { variablesUsed } from '../variables-used';

export interface ApolloGatewayEngineOptions {
  signer: RequestSignature | null;
  resilience: SubgraphResilience;
  subgraphTimeoutMs: number;
  logger: Logger;
}

type ExecuteContext = Parameters<typeof executeQueryPlan>[2];

/**
 * @apollo/gateway 2.14's query planner and executor behind the engine interface: the reference
 * the Ficus engine's answers are compared with in differential tests (GATEWAY_ENGINE=apollo-gateway).
 * It plans the authorized document, so fields authorization removed are absent rather than null.
 */
export function createApolloGatewayEngine(options: ApolloGatewayEngineOptions): Engine {
  const fetcher = fetchWithTimeout(options.subgraphTimeoutMs);
  return {
    name: 'apollo-gateway',
    load(supergraph) {
      return new ApolloGatewaySupergraph(supergraph, options, (name, url) =>
        options.resilience.guard(name, url, new SubgraphDataSource({ url, fetcher, signer: options.signer })),
      );
    },
    async close() {},
  };
}

class ApolloGatewaySupergraph implements LoadedSupergraph {
  readonly id: string;
  readonly sdl: string;
  readonly apiSchema: GraphQLSchema;
  private readonly federationApiSchema: Schema;
  private readonly supergraphSchema: GraphQLSchema;
  private readonly planner: QueryPlanner;
  private readonly dataSources: ServiceMap = {};
  private readonly urls: ReadonlyMap<string, string>;

  constructor(supergraph: SupergraphDocument, private readonly options: ApolloGatewayEngineOptions, dataSourceFor: (name: string, url: string) => GraphQLDataSource<GatewayContext>) {
    this.id = supergraph.id;
    this.sdl = supergraph.sdl;
    const schemas = readSupergraph(supergraph.sdl);
    this.apiSchema = schemas.apiGraphQLSchema;
    this.federationApiSchema = schemas.apiSchema;
    this.supergraphSchema = schemas.supergraph.schema.toGraphQLJSSchema();
    this.planner = new QueryPlanner(schemas.supergraph);
    this.urls = schemas.subgraphUrls;
    for (const [name, url] of schemas.subgraphUrls) this.dataSources[name] = dataSourceFor(name, url);
  }

  async execute(request: EngineRequest): Promise<EngineResult> {
    const queryPlan = this.plan(request);
    return this.run(request, queryPlan, this.dataSources);
  }

  async planSubscription(request: EngineRequest): Promise<PlannedSubscription> {
    const queryPlan = this.plan(request);
    if (queryPlan.node?.kind !== 'Subscription') throw new EngineRefusal('the operation is not a subscription', 'BAD_REQUEST');
    const { primary, rest } = queryPlan.node;
    const url = this.urls.get(primary.serviceName);
    if (!url) throw new EngineRefusal(`no routing URL for subgraph "${primary.serviceName}"`, 'INTERNAL_SERVER_ERROR');
    return {
      subgraph: primary.serviceName,
      url,
      query: primary.operation,
      variables: variablesUsed(request.variables, primary.variableUsages),
      complete: (event) => this.completeEvent(request, primary, rest, event),
    };
  }

  /** Runs the rest of the plan for one event, the primary fetch answered with the event itself. */
  private async completeEvent(request: EngineRequest, primary: FetchNode, rest: PlanNode | undefined, event: FormattedExecutionResult): Promise<EngineResult> {
    if (event.data === null || event.data === undefined) return { errors: [...(event.errors ?? [{ message: 'the subgraph sent an event without data' }])] };
    const owner = this.dataSources[primary.serviceName];
    const eventSource: GraphQLDataSource<GatewayContext> = {
      process: (processOptions) =>
        processOptions.request.query === primary.operation || !owner ? Promise.resolve({ data: event.data, errors: event.errors as never }) : owner.process(processOptions),
    };
    const queryPlan: QueryPlan = { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [primary, rest] } : primary };
    return this.run(request, queryPlan, { ...this.dataSources, [primary.serviceName]: eventSource });
  }

  private plan(request: EngineRequest): QueryPlan {
    const document = request.authorized.document;
    try {
      return this.planner.buildQueryPlan(operationFromDocument(this.federationApiSchema, document, { operationName: request.operationName ?? undefined }));
    } catch (err) {
      throw new EngineRefusal(`the operation cannot be planned: ${(err as Error).message}`, 'QUERY_PLANNING_FAILED');
    }
  }

  private async run(request: EngineRequest, queryPlan: QueryPlan, dataSources: ServiceMap): Promise<EngineResult> {
    const document: DocumentNode = request.authorized.document;
    const operationContext = buildOperationContext({ schema: this.apiSchema, operationDocument: document, operationName: request.operationName ?? undefined });
    const requestContext = {
      request: { query: request.authorized.text ?? undefined, operationName: request.operationName ?? undefined, variables: request.variables },
      document,
      operationName: request.operationName,
      context: request.context,
      logger: request.context.logger ?? this.options.logger,
      metrics: {},
      overallCachePolicy: undefined,
    } as unknown as ExecuteContext;
    const result = await executeQueryPlan(queryPlan, dataSources, requestContext, operationContext, this.supergraphSchema, this.federationApiSchema);
    const errors = [...request.authorized.errors, ...(result.errors ?? []).map((error) => error.toJSON())];
    return errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data ?? null };
  }
}

