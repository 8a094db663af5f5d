import type { Pool as UndiciPool } from 'undici';
import { HttpStatusError, maxResponseBytes, RawResponse, ResponseTooLarge, SubgraphTransport } from './subgraph-transport';

// undici's entry also loads fetch, WebSocket, caches and mocks, which would stay in the heap unused; the pool is all the gateway needs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Pool: typeof UndiciPool = require('undici/lib/dispatcher/pool');

/** A subgraph over HTTP: a pool of keep-alive connections (undici) to its origin. */
export class HttpTransport implements SubgraphTransport {
  private readonly pool: UndiciPool;

  constructor(
    private readonly subgraph: string,
    origin: string,
    timeoutMs: number,
  ) {
    this.pool = new Pool(origin, { connections: 32, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  /**
   * One request, read with undici's dispatch handlers rather than a body stream: a subgraph
   * answer is read whole anyway, and the stream machinery cost more than the JSON it carried.
   */
  post(path: string, body: string, headers: Record<string, string>): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let status = 0;
      let abort: ((err?: Error) => void) | null = null;
      const subgraph = this.subgraph;
      this.pool.dispatch(
        { method: 'POST', path, headers, body },
        {
          onConnect(abortRequest) {
            abort = abortRequest;
          },
          onHeaders(statusCode) {
            status = statusCode;
            return true;
          },
          onData(chunk) {
            size += chunk.length;
            if (size > maxResponseBytes) {
              abort?.(new ResponseTooLarge(subgraph));
              return false;
            }
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            // 5xx is an outage for the circuit: rejected so that it counts.
            if (status >= 500) return reject(new HttpStatusError(status));
            resolve({ status, text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') });
          },
          onError: reject,
        },
      );
    });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
