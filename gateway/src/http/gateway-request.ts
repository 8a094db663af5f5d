import { IncomingMessage, ServerResponse } from 'node:http';
import { type Identity, type Logger, requestLoggerOf } from '@ficus/kit/service';
import type { AdmittedOperation } from '../pipeline/admission';

/**
 * A request to the gateway: Node's own, with what the stages learn about it (its id, when it
 * arrived, who sent it, the operation admitted). The HTTP server makes every request one
 * (`createServer({ IncomingMessage })`), so each has these fields from its construction, in
 * one shape, rather than properties added along the way.
 */
export class GatewayRequest extends IncomingMessage {
  requestId = '';
  /** `performance.now()` when the request reached the GraphQL endpoint, for its duration. */
  startedAt: number | undefined = undefined;
  /** The POST body as parsed JSON; after admission, the operation that runs. */
  body: unknown = undefined;
  /** The client's IP address: the socket's, or behind trusted proxies the one they forward. */
  clientAddress = '';
  /** Who the bearer token proves the caller is; null for an anonymous request. */
  identity: Identity | null = null;
  /** When the bearer token expires (ms since the epoch); null for an anonymous request. */
  credentialsExpireAt: number | null = null;
  /** The bearer token's OAuth2 scopes; empty for an anonymous request. */
  scopes: readonly string[] = [];
  /** The operation as the request pipeline admitted it; set on /graphql for every request that passed. */
  admitted: AdmittedOperation | undefined = undefined;
  private baseLogger: Logger | undefined = undefined;
  private ownLogger: Logger | undefined = undefined;

  /** Names the request (`x-request-id`) and gives it the logger its own is made from. */
  identify(requestId: string, logger: Logger): void {
    this.requestId = requestId;
    this.baseLogger = logger;
  }

  /** The request's logger, carrying its id and trace id: made on first use, since most requests never log. */
  get log(): Logger {
    return (this.ownLogger ??= requestLoggerOf(this.baseLogger!, this.requestId, this));
  }

  /** A header's value (the first, should it come more than once). */
  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }
}

/** One stage of a request's handling: it answers, or passes the request on with `next()` (an error skips to the error answer). */
export type HttpStage = (req: GatewayRequest, res: ServerResponse, next: (err?: unknown) => void) => void | Promise<void>;

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.statusCode = status;
  res.setHeader('content-type', `${type}; charset=utf-8`);
  res.end(JSON.stringify(body));
}
