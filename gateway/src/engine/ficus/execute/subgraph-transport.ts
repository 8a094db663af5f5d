/** A subgraph's raw answer: its HTTP status and body text. */
export interface RawResponse {
  status: number;
  text: string;
}

/**
 * How a subgraph client's signed POST reaches the subgraph: over HTTP, or handed to the
 * subgraph's own request handler in this process. Either one rejects on a 5xx (an outage
 * for the circuit), on no answer in time, and on a body above `maxResponseBytes`.
 */
export interface SubgraphTransport {
  post(path: string, body: string, headers: Record<string, string>): Promise<RawResponse>;
  close(): Promise<void>;
}

/** Response bodies above this are refused: a subgraph must not make the gateway hold unbounded memory. */
export const maxResponseBytes = 50 * 1024 * 1024;

/** Shaped as RemoteGraphQLDataSource's HTTP errors, which `subgraphFailureOf` reads. */
export class HttpStatusError extends Error {
  readonly extensions: { response: { status: number } };
  constructor(status: number) {
    super(`HTTP ${status}`);
    this.extensions = { response: { status } };
  }
}

export class ResponseTooLarge extends Error {
  constructor(subgraph: string) {
    super(`subgraph "${subgraph}" answered with more than ${maxResponseBytes} bytes`);
  }
}
