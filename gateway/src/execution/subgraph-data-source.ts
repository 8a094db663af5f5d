import { gatewayHeaderPrefix, RequestSignature, signatureHeader } from '@ficus/kit/service';
import { GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { forwardedHeaders } from './forwarded-headers';
import type { GatewayContext } from './gateway-context';

type RemoteConfig = ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0];

export interface SubgraphDataSourceConfig extends NonNullable<RemoteConfig> {
  /** Signs every request with the secret shared with the subgraphs (IDENTITY_SIGNING_SECRET); null sends them unsigned. */
  signer?: RequestSignature | null;
}

/**
 * Sends one subgraph request with the caller's verified identity, client address, request id
 * and trace context. Subgraphs trust the x-ficus-* headers (given a secret, only under the
 * gateway's signature), so only the gateway sets them: a client's are dropped.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(config: SubgraphDataSourceConfig) {
    const { signer, ...rest } = config;
    super(rest);
    // Signed in the fetcher, which is handed the exact body bytes that go on the wire.
    if (signer) this.fetcher = signedFetcher(this.fetcher, signer);
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and schema loading carry no client request (and @apollo/gateway does not export the kind enum).
    if (!('incomingRequestContext' in options)) return;
    const { request, context } = options;
    const headers = request.http?.headers;
    if (!headers) return;

    const forged = Array.from(headers, ([name]) => name).filter((name) => name.toLowerCase().startsWith(gatewayHeaderPrefix));
    for (const name of forged) headers.delete(name);
    for (const [name, value] of Object.entries(forwardedHeaders(context))) headers.set(name, value);
  }
}

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/** Adds the gateway's signature over the method, path, exact body and x-ficus-* headers of each request `fetcher` sends. */
export function signedFetcher(fetcher: Fetcher, signer: RequestSignature): Fetcher {
  return (url, init = {}) => {
    const { pathname, search } = new URL(url);
    const headers = { ...init.headers };
    headers[signatureHeader] = signer.signRequest({ method: init.method ?? 'GET', path: pathname + search, body: init.body ?? '', headers });
    return fetcher(url, { ...init, headers });
  };
}

/** Node's fetch, abandoned after `timeoutMs` so a hung subgraph cannot hold a request forever. */
export function fetchWithTimeout(timeoutMs: number): Fetcher {
  return async (url, init) => refusalAsResponse(await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) }));
}

/**
 * A subgraph's 400 that carries a GraphQL response (it refused the operation: a limit, an
 * argument out of range) is handed on as that response, so its errors reach the client at
 * their paths with their codes, as Apollo Router passes them; @apollo/gateway would turn any
 * non-2xx into an INTERNAL_SERVER_ERROR that names the subgraph's URL.
 */
async function refusalAsResponse(response: Response): Promise<Response> {
  if (response.status !== 400 || !response.headers.get('content-type')?.includes('json')) return response;
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const isGraphQLResponse = typeof body === 'object' && body !== null && Array.isArray((body as { errors?: unknown }).errors);
  return new Response(text, { status: isGraphQLResponse ? 200 : 400, headers: response.headers });
}
