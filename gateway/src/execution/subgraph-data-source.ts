import type { Identity } from '@ficus/kit';
import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GatewayContext } from './gateway-context';

/** The headers that carry a verified identity to subgraphs: signed when the gateway has an IDENTITY_SIGNING_SECRET. */
export type IdentityHeaders = (identity: Identity) => Record<string, string>;

/**
 * Sends one subgraph request with the caller's verified identity, request id and trace
 * context. Subgraphs trust the x-ficus-* headers, so only the gateway may set them.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly identityHeaders: IdentityHeaders;

  constructor(config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0] & { identityHeaders: IdentityHeaders }) {
    const { identityHeaders, ...rest } = config;
    super(rest);
    this.identityHeaders = identityHeaders;
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and schema loading carry no client request (and @apollo/gateway does not export the kind enum).
    if (!('incomingRequestContext' in options)) return;
    const { request, context } = options;
    const headers = request.http?.headers;
    if (!headers) return;

    const forged = Array.from(headers, ([name]) => name).filter((name) => name.toLowerCase().startsWith('x-ficus-'));
    for (const name of forged) headers.delete(name);
    headers.set('x-request-id', context.requestId);
    if (context.traceparent) headers.set('traceparent', context.traceparent);
    if (context.identity) {
      for (const [name, value] of Object.entries(this.identityHeaders(context.identity))) headers.set(name, value);
    }
  }
}

/** Node's fetch, abandoned after `timeoutMs` so a hung subgraph cannot hold a request forever. */
export function fetchWithTimeout(timeoutMs: number): RemoteGraphQLDataSource['fetcher'] {
  return (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}
