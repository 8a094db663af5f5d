import type { RequestListener } from 'node:http';
import inject from 'light-my-request';
import { HttpStatusError, maxResponseBytes, RawResponse, ResponseTooLarge, SubgraphTransport } from './subgraph-transport';

/**
 * Subgraphs served by this process, by routing URL: each one's own HTTP request handler
 * (its express app), so that a request handed to it passes the same signature check, body
 * limit, operation limits and context as one that came over the network.
 */
export type InProcessSubgraphs = ReadonlyMap<string, RequestListener>;

/**
 * A subgraph in this process: the signed request is handed to its request handler as an
 * injected HTTP request (no socket, no HTTP parsing), and its answer read back the same way.
 */
export class InProcessTransport implements SubgraphTransport {
  private inFlight = 0;
  private closing: (() => void) | null = null;

  constructor(
    private readonly subgraph: string,
    private readonly handler: RequestListener,
    private readonly timeoutMs: number,
  ) {}

  async post(path: string, body: string, headers: Record<string, string>): Promise<RawResponse> {
    this.inFlight += 1;
    try {
      const response = await withTimeout(inject(this.handler, { method: 'POST', url: path, headers, payload: body, remoteAddress: '127.0.0.1' }), this.timeoutMs);
      if (response.statusCode >= 500) throw new HttpStatusError(response.statusCode);
      if (response.rawPayload.length > maxResponseBytes) throw new ResponseTooLarge(this.subgraph);
      return { status: response.statusCode, text: response.payload };
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.closing?.();
    }
  }

  /** Resolves once the requests in flight have been answered (the handler belongs to the subgraph, which stops on its own). */
  close(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.closing = resolve;
    });
  }
}

/** No answer in time is a timeout for the circuit, as undici's headers timeout is over HTTP. */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
