import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from '../errors';
import type { NodeHttpHandler } from './http-app';

export interface RequestBodyBudgetOptions {
  /** REQUEST_BODIES_MAX_BYTES: the request-body bytes the service holds at once, across its requests. */
  maxBytes: number;
  /** The largest body one request may have: what a body of unknown length (chunked) counts as. */
  bodyLimitBytes: number;
  /** Told of each request refused for the budget. */
  onRefused?(): void;
}

/**
 * A body this small is taken even past the budget (and counted): GraphQL operations are small, so
 * clients holding large bodies can delay uploads but not shut out queries. What it lets past is
 * bounded by connections: 20,000 of them (the file descriptor limit) hold at most 640 MB.
 */
export const alwaysTakenBodyBytes = 32 * 1024;

/** The budget's handler, and the bytes it holds now (for a gauge). */
export interface RequestBodyBudget {
  handler: NodeHttpHandler;
  heldBytes(): number;
}

/**
 * Bounds the request bodies a service holds at once. A body counts from the request's arrival until
 * its response ends (a publish waiting for its turn still holds its SDL), at its declared length, or
 * at the body limit when it has none (chunked). A request that would take the total past the budget
 * is answered 503 `SERVICE_OVERLOADED` with Retry-After before any of its body is read, and its
 * connection closed; a request arriving when nothing is held always gets in, so one body of the
 * largest size is never refused, and so does a small one (`alwaysTakenBodyBytes`). A streamed
 * answer (a subscription over HTTP) holds its request's body until the stream ends. Without the
 * budget, sixty connections each sending 9 MB of a 10 MB body and then nothing held the registry
 * at 733 MB until Node's request timeout.
 */
export function requestBodyBudget(options: RequestBodyBudgetOptions): RequestBodyBudget {
  let held = 0;
  const handler: NodeHttpHandler = (req, res, next) => {
    const bytes = declaredBytes(req, options.bodyLimitBytes);
    if (bytes === 0) return next();
    if (bytes > alwaysTakenBodyBytes && held > 0 && held + bytes > options.maxBytes) {
      options.onRefused?.();
      return refuse(res);
    }
    held += bytes;
    res.once('close', () => {
      held -= bytes;
    });
    next();
  };
  return { handler, heldBytes: () => held };
}

/** The bytes a request's body will take: its Content-Length (at most the limit, past which it is refused unread), the limit for a chunked one, none without a body. */
function declaredBytes(req: IncomingMessage, bodyLimitBytes: number): number {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    const bytes = Number(length);
    return Number.isFinite(bytes) && bytes > 0 ? Math.min(bytes, bodyLimitBytes) : 0;
  }
  return req.headers['transfer-encoding'] !== undefined ? bodyLimitBytes : 0;
}

const overloaded = JSON.stringify(
  errorBody('SERVICE_OVERLOADED', 'the service is receiving as many request bodies as it holds at once (REQUEST_BODIES_MAX_BYTES): retry shortly'),
);

function refuse(res: ServerResponse): void {
  res.statusCode = 503;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('retry-after', '1');
  // The body is never read: the connection closes after the answer rather than wait for it.
  res.setHeader('connection', 'close');
  res.end(overloaded);
}
