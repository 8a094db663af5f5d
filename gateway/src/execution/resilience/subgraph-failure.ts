/**
 * Why a subgraph request failed, when the failure says the subgraph is unreachable or
 * unwell: a refused or reset connection (`connection`), no answer in time (`timeout`), or
 * an HTTP 5xx (`server-error`). Anything else is not an outage: GraphQL errors in a 200,
 * and 4xx, which are the gateway's or the client's doing (a 401 from a bad identity
 * signature is a configuration error that opening the circuit would only hide).
 */
export type SubgraphFailure = 'connection' | 'timeout' | 'server-error';

/** Connection errors after which the request is known not to have been answered, so a query may be sent again. */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  // undici's "other side closed": the server dropped the socket (e.g. a stale keep-alive one).
  'UND_ERR_SOCKET',
]);

/** Errors of the network that the subgraph cannot be reached through; counted as failures, not retried. */
const unreachableCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);

const timeoutCodes = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** What kind of outage `error` (thrown by a data source's `process()`) shows, or null for none. */
export function subgraphFailureOf(error: unknown): SubgraphFailure | null {
  // fetch wraps the socket's error as the cause of a TypeError("fetch failed"); look down the chain.
  for (let current: unknown = error, depth = 0; isObject(current) && depth < 5; depth++) {
    const { name, code, message } = current as { name?: unknown; code?: unknown; message?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
    if (typeof code === 'string') {
      if (timeoutCodes.has(code)) return 'timeout';
      if (connectionCodes.has(code) || unreachableCodes.has(code)) return 'connection';
    }
    if (message === 'socket hang up') return 'connection';
    const status = httpStatusOf(current);
    if (status !== null) return status >= 500 ? 'server-error' : null;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/** Whether the request surely went unanswered, so sending a query again cannot do anything twice. */
export function isRetryableConnectionError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; isObject(current) && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && connectionCodes.has(code)) return true;
    if (message === 'socket hang up') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** RemoteGraphQLDataSource turns a non-2xx answer into a GraphQLError with `extensions.response.status`. */
function httpStatusOf(error: object): number | null {
  const response = (error as { extensions?: { response?: { status?: unknown } } }).extensions?.response;
  return typeof response?.status === 'number' ? response.status : null;
}

// Not `instanceof Object`: fetch's errors may come from another realm (e.g. a test sandbox).
function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
