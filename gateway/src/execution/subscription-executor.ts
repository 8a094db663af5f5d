import { executeQueryPlan, GraphQLDataSource, ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import { RequestSignature, SharedReads } from '@ficus/kit';
import { DocumentNode, ExecutionResult, FormattedExecutionResult, GraphQLError, print } from 'graphql';
import type { GatewayContext } from './gateway-context';
import { runAt } from './run-at';
import { forwardedHeaders } from './subgraph-data-source';
import { SubgraphSubscriptionClient, SubgraphSubscriptionLostError } from './subgraph-subscription-client';
import type { SubscriptionPlan, SubscriptionPlanner } from './subscription-planner';

/** What a subscription runs against: the supergraph served now and its subgraphs' HTTP data sources. */
export interface ServedSupergraph {
  planner: SubscriptionPlanner;
  dataSources: ServiceMap;
}

export interface SubscriptionRequest {
  /** Validated against the API schema already. */
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

/** Runs federated subscriptions: the stream from the root field's subgraph, completed per event by the rest of the plan. */
export interface SubscriptionExecutor {
  /** A stream of results, or one result with errors when the subscription cannot start. */
  subscribe(request: SubscriptionRequest, context: GatewayContext): AsyncIterableIterator<ExecutionResult> | ExecutionResult;
  /** Ends every open stream: with one last result carrying `error` (a reload), or plainly (shutdown). */
  endAll(error: GraphQLError | null): Promise<void>;
  /** Ends every open stream plainly and closes the sockets to subgraphs. */
  stop(): Promise<void>;
  /** Streams open now. */
  readonly openCount: number;
  /** Sockets to subgraphs open now (one per subgraph, shared by its streams). */
  readonly upstreamSocketCount: number;
}

export interface SubscriptionExecutorOptions {
  /** The supergraph served now, or null before the first is loaded. */
  served: () => ServedSupergraph | null;
  keepAliveMs: number;
  /** Signs each subscribe sent to a subgraph (IDENTITY_SIGNING_SECRET); null sends them unsigned. */
  signer: RequestSignature | null;
  /** Told of each event from a subgraph: whether it ran the rest of the plan or shared a run in flight. */
  onEvent?: (completion: 'ran' | 'shared') => void;
}

type ExecuteContext = Parameters<typeof executeQueryPlan>[2];

export function createSubscriptionExecutor(options: SubscriptionExecutorOptions): SubscriptionExecutor {
  const open = new Set<FederatedStream>();
  const upstreams = new SubgraphSubscriptionClient(options.keepAliveMs, options.signer);
  // Subscribers of the same operation, variables and identity get the same event from the
  // subgraph (one per subscription) at about the same time: the rest of the plan runs once for them.
  const completions = new SharedReads<ExecutionResult>();
  // Documents are shared by the subscribers of one operation (the transports keep them), so is their text.
  const printed = new WeakMap<DocumentNode, string>();
  const textOf = (document: DocumentNode) => {
    let text = printed.get(document);
    if (text === undefined) printed.set(document, (text = print(document)));
    return text;
  };
  return {
    subscribe(request, context) {
      const served = options.served();
      if (!served) return { errors: [codedError('no supergraph is loaded yet', 'SERVICE_UNAVAILABLE')] };
      let plan: SubscriptionPlan;
      const query = textOf(request.document);
      const cacheKey = `${request.operationName ?? ''}\n${query}`;
      try {
        plan = served.planner.plan(request.document, request.operationName, cacheKey);
      } catch (err) {
        return { errors: [err instanceof GraphQLError ? err : codedError(String((err as Error).message ?? err), 'GRAPHQL_VALIDATION_FAILED')] };
      }
      const url = served.planner.subgraphUrls.get(plan.primary.serviceName);
      if (!url) return { errors: [codedError(`no routing URL for subgraph "${plan.primary.serviceName}"`, 'INTERNAL_SERVER_ERROR')] };

      const upstream = upstreams.subscribe({
        subgraph: plan.primary.serviceName,
        url,
        query: plan.primary.operation,
        variables: pick(request.variables, plan.primary.variableUsages),
        headers: forwardedHeaders(context),
      });
      // Everything the completed result depends on but the event: the fetches it makes are the same.
      const sameResultFor = [served.planner.supergraphId, cacheKey, JSON.stringify(request.variables), JSON.stringify(context.identity)].join('\n');
      const complete = (event: FormattedExecutionResult) => {
        const key = `${sameResultFor}\n${JSON.stringify(event)}`;
        options.onEvent?.(completions.has(key) ? 'shared' : 'ran');
        return completions.read(key, () => completeEvent(served, plan, request, query, context, event));
      };
      let expiry: { cancel(): void } | undefined;
      const stream = new FederatedStream(upstream, complete, () => {
        expiry?.cancel();
        open.delete(stream);
      });
      open.add(stream);
      if (context.credentialsExpireAt) {
        expiry = runAt(context.credentialsExpireAt, () =>
          stream.end(codedError('the bearer token has expired: subscribe again with a fresh one', 'UNAUTHENTICATED')),
        );
      }
      return stream;
    },
    async endAll(error) {
      await Promise.all([...open].map((stream) => stream.end(error)));
    },
    async stop() {
      await this.endAll(null);
      await upstreams.close();
    },
    get openCount() {
      return open.size;
    },
    get upstreamSocketCount() {
      return upstreams.socketCount;
    },
  };
}

/**
 * Runs the rest of the plan for one event. The primary fetch is answered with the event itself
 * (a data source standing in for the subgraph for that one operation), so executeQueryPlan
 * merges, fetches entities in batches and shapes the result exactly as for a query.
 */
async function completeEvent(
  served: ServedSupergraph,
  plan: SubscriptionPlan,
  request: SubscriptionRequest,
  query: string,
  context: GatewayContext,
  event: FormattedExecutionResult,
): Promise<ExecutionResult> {
  if (event.data === null || event.data === undefined) {
    return { errors: (event.errors ?? [{ message: 'the subgraph sent an event without data' }]).map(toGraphQLError) };
  }
  const owner = served.dataSources[plan.primary.serviceName];
  const eventSource: GraphQLDataSource<GatewayContext> = {
    process: (processOptions) =>
      processOptions.request.query === plan.primary.operation || !owner
        ? Promise.resolve({ data: event.data, errors: event.errors as never })
        : owner.process(processOptions),
  };
  const queryPlan: QueryPlan = {
    kind: 'QueryPlan',
    node: plan.rest ? { kind: 'Sequence', nodes: [plan.primary, plan.rest] } : plan.primary,
  };
  const requestContext = {
    request: { query, operationName: request.operationName, variables: request.variables },
    document: request.document,
    operationName: request.operationName ?? null,
    context,
    logger: context.logger,
    metrics: {},
    overallCachePolicy: undefined,
  } as unknown as ExecuteContext;
  const result = await executeQueryPlan(
    queryPlan,
    { ...served.dataSources, [plan.primary.serviceName]: eventSource },
    requestContext,
    plan.operationContext,
    served.planner.supergraphGraphQLSchema,
    served.planner.apiSchema,
  );
  return result as ExecutionResult;
}

function pick(variables: Record<string, unknown>, names: readonly string[] | undefined): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names ?? []) if (variables[name] !== undefined) picked[name] = variables[name];
  return picked;
}

function codedError(message: string, code: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

function toGraphQLError(error: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }): GraphQLError {
  return new GraphQLError(error.message, { path: error.path, extensions: error.extensions });
}

/**
 * One client subscription. Events are completed one at a time, so the client sees them in the
 * subgraph's order. `end()` stops it from outside: the upstream subscription is completed at
 * once and the client gets the ending error (if any) as a last result.
 */
class FederatedStream implements AsyncIterableIterator<ExecutionResult> {
  private finished = false;
  private ending: { error: GraphQLError | null } | null = null;
  private wakeEnding: () => void = () => undefined;
  private readonly ended = new Promise<void>((resolve) => (this.wakeEnding = resolve));

  constructor(
    private readonly upstream: AsyncIterableIterator<FormattedExecutionResult>,
    private readonly complete: (event: FormattedExecutionResult) => Promise<ExecutionResult>,
    private readonly forget: () => void,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.finished) return done;
    let step: IteratorResult<FormattedExecutionResult> | 'ended';
    try {
      step = await Promise.race([this.upstream.next(), this.ended.then(() => 'ended' as const)]);
    } catch (err) {
      this.finish();
      if (err instanceof SubgraphSubscriptionLostError) {
        return { value: { errors: [codedError(err.message, 'SUBGRAPH_SUBSCRIPTION_LOST', { serviceName: err.subgraph })] }, done: false };
      }
      throw err;
    }
    if (step === 'ended') {
      const error = this.ending?.error;
      this.finish();
      return error ? { value: { errors: [error] }, done: false } : done;
    }
    if (step.done) {
      this.finish();
      return done;
    }
    return { value: await this.complete(step.value), done: false };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    await this.upstream.return?.();
    return done;
  }

  async end(error: GraphQLError | null): Promise<void> {
    if (this.finished || this.ending) return;
    this.ending = { error };
    this.wakeEnding();
    await this.upstream.return?.();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private finish(): void {
    this.finished = true;
    this.forget();
  }
}

const done = { value: undefined, done: true } as const;
