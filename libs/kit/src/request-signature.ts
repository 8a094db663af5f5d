import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { unauthenticated } from './errors';

/** The header (HTTP) or `extensions.headers` entry (graphql-ws) carrying the gateway's signature: `t=<ms since the epoch>,v1=<hex HMAC-SHA256>`. */
export const signatureHeader = 'x-ficus-signature';

/** Headers with this prefix are the gateway's alone to set: every one of them is covered by its signature. */
export const gatewayHeaderPrefix = 'x-ficus-';

/** How far a signature's time may be from the receiver's clock, either way, unless the signer is told otherwise. */
export const defaultSignatureWindowMs = 30_000;

export type HeaderMap = Record<string, string | string[] | undefined>;

/** An HTTP request as it travels: `path` with its query string, `body` the exact bytes sent. */
export interface SignedHttpRequest {
  method: string;
  path: string;
  body: string | Uint8Array;
  headers: HeaderMap;
}

/** One graphql-ws subscribe: the operation and the headers sent with it in `extensions.headers`. */
export interface SignedOperation {
  query: string;
  variables?: Readonly<Record<string, unknown>> | null;
  operationName?: string | null;
  headers: HeaderMap;
}

/**
 * Signs what the gateway sends subgraphs with the secret only they share
 * (`IDENTITY_SIGNING_SECRET`), and checks it in subgraphs. A signature covers the request
 * itself (method, path, sha256 of the body, or for a subscription the operation and its
 * variables), every `x-ficus-*` header and the time, so a caller who reaches a subgraph
 * directly can neither name an identity nor replay a captured signature with another
 * operation; an exact replay is possible only inside the window.
 */
export class RequestSignature {
  constructor(
    private readonly secret: string,
    /** Bounds both clock skew and the replay of a captured request. */
    readonly windowMs = defaultSignatureWindowMs,
  ) {}

  /** The signature header's value for an HTTP request about to be sent. */
  signRequest(request: SignedHttpRequest, now = Date.now()): string {
    return this.signature(now, httpContent(request));
  }

  /** Throws UNAUTHENTICATED unless the request carries the gateway's valid signature, made within the window. */
  verifyRequest(request: SignedHttpRequest, now = Date.now()): void {
    this.verify(request.headers, now, () => httpContent(request));
  }

  /** The signature for one subscribe message's operation and headers. */
  signOperation(operation: SignedOperation, now = Date.now()): string {
    return this.signature(now, operationContent(operation));
  }

  /** Throws UNAUTHENTICATED unless the subscribe carries the gateway's valid signature of this operation, made within the window. */
  verifyOperation(operation: SignedOperation, now = Date.now()): void {
    this.verify(operation.headers, now, () => operationContent(operation));
  }

  private signature(signedAt: number, content: string): string {
    return `t=${signedAt},v1=${this.mac(signedAt, content)}`;
  }

  private verify(headers: HeaderMap, now: number, content: () => string): void {
    const given = /^t=(\d{1,15}),v1=([0-9a-f]{64})$/.exec(single(headers[signatureHeader]) ?? '');
    if (!given) throw unauthenticated('this service answers the gateway only: the request carries no gateway signature');
    const signedAt = Number(given[1]);
    if (Math.abs(now - signedAt) > this.windowMs) {
      throw unauthenticated(`the gateway signature is more than ${this.windowMs / 1000} s away from this service's clock`);
    }
    let expected: Buffer;
    try {
      expected = Buffer.from(this.mac(signedAt, content()), 'hex');
    } catch {
      // Variables too deeply nested to serialise cannot be what the gateway signed.
      throw unauthenticated('the gateway signature does not match the request');
    }
    if (!timingSafeEqual(expected, Buffer.from(given[2]!, 'hex'))) {
      throw unauthenticated('the gateway signature does not match the request');
    }
  }

  private mac(signedAt: number, content: string): string {
    return createHmac('sha256', this.secret).update(`v1\n${signedAt}\n${content}`).digest('hex');
  }
}

function httpContent(request: SignedHttpRequest): string {
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  return JSON.stringify(['http', request.method.toUpperCase(), request.path, bodyHash, gatewayHeaders(request.headers)]);
}

function operationContent(operation: SignedOperation): string {
  const signed = { query: operation.query, variables: operation.variables ?? null, operationName: operation.operationName ?? null };
  const operationHash = createHash('sha256').update(canonicalJson(signed)).digest('hex');
  return JSON.stringify(['graphql-ws', operationHash, gatewayHeaders(operation.headers)]);
}

/** The `x-ficus-*` headers but the signature, as sorted `[name, value]` pairs (names lower-cased, repeated values joined as Node joins them). */
function gatewayHeaders(headers: HeaderMap): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith(gatewayHeaderPrefix) || lower === signatureHeader || value === undefined) continue;
    pairs.push([lower, Array.isArray(value) ? value.join(', ') : String(value)]);
  }
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** JSON with object keys sorted, so both ends serialise the same variables the same way whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
