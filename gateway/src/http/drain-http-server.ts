import type http from 'node:http';

/**
 * Stops accepting connections and waits for the requests in flight to finish (idle keep-alive
 * connections close at once, busy ones after their response); what is still open after
 * `graceMs` is cut.
 */
export async function drainHttpServer(server: http.Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = setTimeout(() => server.closeAllConnections(), graceMs);
  grace.unref();
  await closed;
  clearTimeout(grace);
}
