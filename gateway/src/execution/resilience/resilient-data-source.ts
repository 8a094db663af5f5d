import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { BrokenCircuitError } from 'cockatiel';
import type { GatewayContext } from '../gateway-context';
import { failedFetchResponse, SubgraphResponse } from './failed-fetch-response';
import type { SubgraphCircuit } from './subgraph-circuit';
import { isRetryableConnectionError, SubgraphFailure, subgraphFailureOf } from './subgraph-failure';

export interface ResilientDataSourceEvents {
  /** A query's request was sent again after its connection was refused or reset. */
  retried(subgraph: string): void;
  /** A request was answered with SUBGRAPH_UNAVAILABLE without reaching the subgraph. */
  shortCircuited(subgraph: string): void;
}

/**
 * A subgraph's data source behind its circuit: while the circuit is open, the fields this
 * subgraph would fill come back null with SUBGRAPH_UNAVAILABLE (the rest of the response is
 * served); otherwise the request goes to `inner`, and a query whose connection was refused
 * or reset is sent once more. A request that fails for an outage leaves its fields null
 * with SUBREQUEST_HTTP_ERROR; other errors (4xx, malformed answers) go on as they were thrown. Nothing else is retried: not a timeout (the subgraph may still
 * be working on it, and the client has waited long enough), not a 5xx, never a mutation.
 */
export class ResilientDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly circuit: SubgraphCircuit,
    private readonly inner: GraphQLDataSource<GatewayContext>,
    private readonly retry: boolean,
    private readonly events: ResilientDataSourceEvents,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    // Schema loading and health checks carry no client request (@apollo/gateway does not export the kind enum).
    if (!('incomingRequestContext' in options)) return this.inner.process(options);
    if (!this.circuit.admits()) return this.unavailable(options);
    try {
      return await this.circuit.run(() => this.send(options));
    } catch (err) {
      if (err instanceof BrokenCircuitError) return this.unavailable(options);
      const failure = subgraphFailureOf(err);
      if (!failure) throw err;
      return this.failed(options, failure, err);
    }
  }

  private async send(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    // RemoteGraphQLDataSource replaces `request.http` with what it sent; a retry starts from what it was given.
    const given = options.request.http;
    try {
      return await this.inner.process(options);
    } catch (err) {
      if (!this.retry || !mayRetry(options) || !isRetryableConnectionError(err)) throw err;
      this.events.retried(this.circuit.subgraph);
      return this.inner.process({ ...options, request: { ...options.request, http: given } });
    }
  }

  /** An outage's error at the fields it leaves null, without the subgraph's URL or body (which 5xx errors carry). */
  private failed(options: GraphQLDataSourceProcessOptions<GatewayContext>, failure: SubgraphFailure, err: unknown): SubgraphResponse {
    const subgraph = this.circuit.subgraph;
    options.context.logger?.warn({ err, subgraph, failure }, `subgraph ${subgraph}: request failed`);
    return failedFetchResponse(options, {
      message: `request to subgraph "${subgraph}" failed: ${failureDescriptions[failure]}`,
      extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: subgraph, reason: failure },
    });
  }

  private unavailable(options: GraphQLDataSourceProcessOptions<GatewayContext>): SubgraphResponse {
    this.events.shortCircuited(this.circuit.subgraph);
    const subgraph = this.circuit.subgraph;
    return failedFetchResponse(options, {
      message: `subgraph "${subgraph}" is unavailable: its recent requests failed, so it is not being called for a while`,
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', serviceName: subgraph },
    });
  }
}

const failureDescriptions: Record<SubgraphFailure, string> = {
  connection: 'the connection was refused or lost',
  timeout: 'no answer before the timeout',
  'server-error': 'it answered with an HTTP 5xx status',
};

/**
 * A subgraph request may be sent twice only if it reads: nothing in a client's mutation is
 * retried, nor a subgraph mutation. Subscription events are completed with queries (their
 * requests carry no client operation).
 */
function mayRetry(options: GraphQLDataSourceProcessOptions<GatewayContext>): boolean {
  if (!('incomingRequestContext' in options)) return false;
  if (options.incomingRequestContext.operation?.operation === 'mutation') return false;
  return operationTypeOf(options.request.query) === 'query';
}

function operationTypeOf(query: string | undefined): 'query' | 'mutation' | 'subscription' | null {
  const match = /^\s*(query|mutation|subscription)\b|^\s*\{/.exec(query ?? '');
  if (!match) return null;
  return (match[1] as 'query' | 'mutation' | 'subscription' | undefined) ?? 'query';
}
