import type http from 'node:http';

/** Headers must arrive within this, as Apollo Router's default header read timeout. */
const headersTimeoutMs = 10_000;

/**
 * How long a client has to send its request: a connection that trickles its headers or body (a
 * slowloris) is answered 408 and closed, instead of being held for Node's 300 s. The connections
 * are checked at a quarter of the limit, not Node's 30 s, so the limit holds to within that.
 * Responses (subscription streams, deferred parts) are not limited by it.
 */
export function receiveTimeouts(requestTimeoutMs: number): http.ServerOptions & { headersTimeout: number } {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
    connectionsCheckingInterval: Math.min(Math.max(Math.floor(requestTimeoutMs / 4), 250), 5_000),
  };
}
