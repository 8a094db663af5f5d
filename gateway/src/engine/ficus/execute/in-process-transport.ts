import type { InProcessHandler } from '@ficus/kit';
import { HttpStatusError, maxResponseBytes, RawResponse, ResponseTooLarge, SubgraphTransport } from './subgraph-transport';

/** Subgraphs served by this process (the modular monolith), by routing URL: each one's `/graphql` in process. */
export type InProcessSubgraphs = ReadonlyMap<string, InProcessHandler>;

/**
 * A subgraph in this process: the signed request (body and headers exactly as over HTTP) is
 * handed to the subgraph's own handler, which checks the signature, the body limit and the
 * operation limits and builds its context as its HTTP route does; no socket, no HTTP framing.
 */
export class InProcessTransport implements SubgraphTransport {
  private inFlight = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly subgraph: string,
    private readonly handler: InProcessHandler,
    private readonly timeoutMs: number,
  ) {}

  async post(path: string, body: string, headers: Record<string, string>): Promise<RawResponse> {
    this.inFlight += 1;
    try {
      const response = await withTimeout(this.handler({ path, headers, body }), this.timeoutMs);
      // 5xx is an outage for the circuit, as over HTTP.
      if (response.status >= 500) throw new HttpStatusError(response.status);
      if (response.body.length > maxResponseBytes) throw new ResponseTooLarge(this.subgraph);
      return { status: response.status, text: response.body };
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /** Resolves once the requests in flight are answered; the subgraph itself is stopped by its owner. */
  close(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
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
