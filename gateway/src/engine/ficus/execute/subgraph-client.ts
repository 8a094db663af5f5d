import { RequestSignature, SharedReads, signatureHeader } from '@ficus/kit/service';
import { BrokenCircuitError } from 'cockatiel';
import type { SubgraphCircuit } from '../../../execution/resilience/subgraph-circuit';
import { isRetryableConnectionError, SubgraphFailure, subgraphFailureOf } from '../../../execution/resilience/subgraph-failure';
import { gatewaySpans } from '../../../telemetry/gateway-spans';
import { RawResponse, ResponseTooLarge, SubgraphTransport } from './subgraph-transport';

export interface SubgraphRequest {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown>;
  /** What the gateway tells the subgraph about the client request (identity, request id, trace context). */
  headers: Record<string, string>;
  /** A read may share an identical request in flight and be sent again after a refused connection; a mutation never. */
  reads: boolean;
}

/** A subgraph's GraphQL response, or why there is none. */
export type SubgraphResult =
  | { ok: true; body: SubgraphResponseBody }
  | { ok: false; failure: SubgraphFailure | 'unavailable' | 'bad-response'; message: string; code?: string };

export interface SubgraphResponseBody {
  data?: Record<string, unknown> | null;
  errors?: SubgraphError[];
}

export interface SubgraphError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** Told of each request to a subgraph: its duration in seconds, and its result. */
export type SubgraphFetchObserver = (seconds: number, result: SubgraphResult) => void;

export interface SubgraphClientOptions {
  name: string;
  url: string;
  /** HTTP, or the subgraph's own request handler when it runs in this process. */
  transport: SubgraphTransport;
  signer: RequestSignature | null;
  circuit: SubgraphCircuit;
  /** Send a refused or reset read once more. */
  retry: boolean;
  /** Share one request among identical reads in flight. */
  deduplicate: boolean;
  events: { retried(): void; shortCircuited(): void; deduplicated(): void; fetched: SubgraphFetchObserver };
}

/**
 * One subgraph, over its transport: the gateway's signature,
 * the subgraph's circuit breaker, one retry of a refused read, and in-flight deduplication of
 * identical reads (they share the response text; each parses its own copy, since the executor
 * merges into what it parses).
 */
export class SubgraphClient {
  private readonly path: string;
  private readonly host: string;
  private readonly inFlight = new SharedReads<RawResponse>();

  constructor(private readonly options: SubgraphClientOptions) {
    const url = new URL(options.url);
    this.path = url.pathname + url.search;
    this.host = url.host;
  }

  get name(): string {
    return this.options.name;
  }

  /** One fetch: in a span when tracing is on; its duration and outcome go to the fetch metrics. */
  send(request: SubgraphRequest): Promise<SubgraphResult> {
    return gatewaySpans ? gatewaySpans.subgraphFetch(this.name, request.operationName, () => this.timed(request)) : this.timed(request);
  }

  private async timed(request: SubgraphRequest): Promise<SubgraphResult> {
    const started = performance.now();
    const result = await this.exchange(request);
    this.options.events.fetched((performance.now() - started) / 1000, result);
    return result;
  }

  private async exchange(request: SubgraphRequest): Promise<SubgraphResult> {
    const body = JSON.stringify({ query: request.query, operationName: request.operationName ?? undefined, variables: request.variables });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', host: this.host, ...request.headers };
    if (this.options.signer) headers[signatureHeader] = this.options.signer.signRequest({ method: 'POST', path: this.path, body, headers });
    const { circuit } = this.options;
    if (!circuit.admits()) return this.unavailable();

    let raw: RawResponse;
    try {
      raw = await circuit.run(() => (request.reads && this.options.deduplicate ? this.shared(body, headers, request.headers) : this.post(body, headers, request.reads)));
    } catch (err) {
      if (err instanceof BrokenCircuitError) return this.unavailable();
      const failure = subgraphFailureOf(err);
      if (err instanceof ResponseTooLarge) return { ok: false, failure: 'bad-response', message: err.message };
      if (!failure) return { ok: false, failure: 'bad-response', message: `request to subgraph "${this.name}" failed: ${(err as Error).message}` };
      return { ok: false, failure, message: `request to subgraph "${this.name}" failed: ${failureDescriptions[failure]}` };
    }
    return this.result(raw);
  }

  close(): Promise<void> {
    return this.options.transport.close();
  }

  private shared(body: string, headers: Record<string, string>, forwarded: Record<string, string>): Promise<RawResponse> {
    const key = `${body}\n${dedupeKeyOf(forwarded)}`;
    if (this.inFlight.has(key)) this.options.events.deduplicated();
    return this.inFlight.read(key, () => this.post(body, headers, true));
  }

  private async post(body: string, headers: Record<string, string>, reads: boolean): Promise<RawResponse> {
    try {
      return await this.once(body, headers);
    } catch (err) {
      if (!reads || !this.options.retry || !isRetryableConnectionError(err)) throw err;
      this.options.events.retried();
      return this.once(body, headers);
    }
  }

  private once(body: string, headers: Record<string, string>): Promise<RawResponse> {
    return this.options.transport.post(this.path, body, headers);
  }

  private result(raw: RawResponse): SubgraphResult {
    let body: unknown;
    try {
      body = JSON.parse(raw.text);
    } catch {
      body = undefined;
    }
    const isGraphQLResponse = typeof body === 'object' && body !== null && ('data' in body || Array.isArray((body as { errors?: unknown }).errors));
    // A 4xx carrying a GraphQL response is the subgraph refusing the operation (a limit, an argument out of range, a bad signature): its errors go to the client.
    if (isGraphQLResponse) return { ok: true, body: body as SubgraphResponseBody };
    const code = refusalCodes[raw.status];
    return { ok: false, failure: 'bad-response', message: `subgraph "${this.name}" answered HTTP ${raw.status} without a GraphQL response`, ...(code ? { code } : {}) };
  }

  private unavailable(): SubgraphResult {
    this.options.events.shortCircuited();
    return {
      ok: false,
      failure: 'unavailable',
      message: `subgraph "${this.name}" is unavailable: its recent requests failed, so it is not being called for a while`,
    };
  }
}

/** Identical reads share a request only for the same caller: everything the gateway forwards but the per-request ids. */
function dedupeKeyOf(forwarded: Record<string, string>): string {
  let key = '';
  for (const name in forwarded) if (name !== 'x-request-id' && name !== 'traceparent') key += `${name}:${forwarded[name]}\n`;
  return key;
}

/** A subgraph's plain-text refusal, coded by its status as @apollo/gateway codes it. */
const refusalCodes: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN' };

const failureDescriptions: Record<SubgraphFailure, string> = {
  connection: 'the connection was refused or lost',
  timeout: 'no answer before the timeout',
  'server-error': 'it answered with an HTTP 5xx status',
};

