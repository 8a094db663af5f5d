import { SharedReads, RequestSignature } from '@ficus/kit/service';
import { ExecutionResult, FormattedExecutionResult, GraphQLError } from 'graphql';
import { EngineRefusal, EngineResult, PlannedSubscription } from '../engine/engine';
import type { AdmittedOperation } from '../pipeline/admission';
import type { GatewayContext } from './gateway-context';
import { runAt } from './run-at';
import { forwardedHeaders } from './forwarded-headers';
import { QueueOverflowError } from './event-queue';
import { SubgraphSubscriptionClient, SubgraphSubscriptionLostError } from './subgraph-subscription-client';

/** Runs federated subscriptions: the stream from the root field's subgraph, completed per event by the rest of the plan. */
export interface SubscriptionExecutor {
  /** A stream of results, or one result with errors when the subscription cannot start. */
  subscribe(admitted: AdmittedOperation, context: GatewayContext): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
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
  /** Authorizes and plans a subscription (the request pipeline's stages after admission). */
  plan(admitted: AdmittedOperation, context: GatewayContext): Promise<PlannedSubscription>;
  keepAliveMs: number;
  /** Events one subscription may have waiting for its client before it ends with SUBSCRIPTION_CLIENT_TOO_SLOW. */
  queueCapacity: number;
  /** Signs each subscribe sent to a subgraph (IDENTITY_SIGNING_SECRET); null sends them unsigned. */
  signer: RequestSignature | null;
  /** Told of each event from a subgraph: whether it ran the rest of the plan or shared a run in flight. */
  onEvent?: (completion: 'ran' | 'shared') => void;
}

export function createSubscriptionExecutor(options: SubscriptionExecutorOptions): SubscriptionExecutor {
  const open = new Set<FederatedStream>();
  const upstreams = new SubgraphSubscriptionClient(options.keepAliveMs, options.signer, options.queueCapacity);
  // Subscribers of the same operation, variables and identity get the same event from the
  // subgraph (one per subscription) at about the same time: the rest of the plan runs once for them.
  const completions = new SharedReads<ExecutionResult>();
  return {
    async subscribe(admitted, context) {
      let planned: PlannedSubscription;
      try {
        planned = await options.plan(admitted, context);
      } catch (err) {
        if (err instanceof EngineRefusal) return { errors: [codedError(err.message, err.code)] };
        throw err;
      }
      const upstream = upstreams.subscribe({
        subgraph: planned.subgraph,
        url: planned.url,
        query: planned.query,
        variables: planned.variables,
        headers: forwardedHeaders(context),
      });
      // Everything the completed result depends on but the event: the fetches it makes are the same.
      const sameResultFor = [admitted.served.supergraphId, admitted.operationName ?? '', admitted.query, JSON.stringify(admitted.coercedVariables), JSON.stringify(context.identity)].join('\n');
      const complete = (event: FormattedExecutionResult) => {
        const key = `${sameResultFor}\n${JSON.stringify(event)}`;
        options.onEvent?.(completions.has(key) ? 'shared' : 'ran');
        return completions.read(key, async () => asExecutionResult(await planned.complete(event)));
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

/** The engine's result with its errors as GraphQLErrors, which the transports serialize with `toJSON()`. */
function asExecutionResult(result: EngineResult): ExecutionResult {
  const { data, errors } = result;
  const graphqlErrors = errors?.map((error) => new GraphQLError(error.message, { path: error.path, extensions: error.extensions }));
  return graphqlErrors ? { data, errors: graphqlErrors } : { data };
}

function codedError(message: string, code: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
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
      if (err instanceof QueueOverflowError) {
        // The upstream subscription was completed when its queue overflowed.
        const message = `the subscription ended: ${err.message}, which read its events slower than they came; subscribe again`;
        return { value: { errors: [codedError(message, 'SUBSCRIPTION_CLIENT_TOO_SLOW')] }, done: false };
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
