import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type * as BodyParser from 'body-parser';
import type { ErrorRequestHandler, Express, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorBody } from '../errors';
import { unsupportedJsonCharset } from './json-charset';
import { traceIdOf } from './trace-id';

export { charsetOf } from './json-charset';

export interface HealthCheck {
  name: string;
  check(): Promise<boolean> | boolean;
  /**
   * Whether the service is unready without it (default true). One not required that is down
   * leaves the service ready but `degraded`: it still serves, something waits (events in the outbox).
   */
  required?: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId: string;
    log: Logger;
    /** The body's exact bytes, kept by `jsonBody(…, { keepRawBody: true })` for signature checks. */
    rawBody?: Buffer;
  }
}

/**
 * Takes `x-request-id` from the caller (the gateway sets one) or makes one, and echoes it back.
 * The request's logger carries it, and the trace id when the request has one.
 */
export function requestIdMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdOf(req.headers['x-request-id']);
    req.requestId = requestId;
    req[baseLogger] = logger;
    lazyLogOn(Object.getPrototypeOf(req) as object);
    res.setHeader('x-request-id', requestId);
    next();
  };
}

/** The caller's `x-request-id` when it is a plausible id, else a new one. */
export function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

const baseLogger = Symbol('baseLogger');
const requestLogger = Symbol('requestLogger');

declare module 'express-serve-static-core' {
  interface Request {
    [baseLogger]?: Logger;
    [requestLogger]?: Logger;
  }
}

/**
 * Most requests never log: the request's child logger, whose bindings pino serializes, is made
 * on first use, by a getter defined once on the requests' prototype. A getter defined on each
 * request would turn it into a dictionary-mode object, slow for every property access after.
 */
function lazyLogOn(prototype: object): void {
  if (Object.prototype.hasOwnProperty.call(prototype, 'log')) return;
  Object.defineProperty(prototype, 'log', {
    configurable: true,
    get(this: Request): Logger | undefined {
      const base = this[baseLogger];
      if (!base) return undefined;
      return (this[requestLogger] ??= requestLoggerOf(base, this.requestId, this));
    },
  });
}

/**
 * `/health` says the process is alive; `/ready` says every required dependency answers and the
 * service is not draining (200 `ready`, or 200 `degraded` when one not required is down).
 * Orchestrators route traffic on `/ready` only.
 */
export function healthRoutes(app: Express, checks: HealthCheck[], isDraining: () => boolean): void {
  app.get('/health', (_req, res) => {
    res.json(liveness);
  });
  app.get('/ready', async (_req, res) => {
    const { status, body } = await readiness(checks, isDraining);
    res.status(status).json(body);
  });
}

/** A request's logger: the service's, with the request's id and, when it has one, its trace id. */
export function requestLoggerOf(base: Logger, requestId: string, req: { header(name: string): string | undefined }): Logger {
  const traceId = traceIdOf(req);
  return base.child(traceId ? { requestId, traceId } : { requestId });
}

/** `/health`'s answer. */
export const liveness = { status: 'ok' } as const;

/** `/ready`'s answer: 200 `ready` or `degraded`, 503 `unavailable` or `draining`, with each check's state. */
export async function readiness(checks: HealthCheck[], isDraining: () => boolean): Promise<{ status: number; body: { status: string; checks: Record<string, 'up' | 'down'> } }> {
  const results = await Promise.all(checks.map(async (c) => [c, await Promise.resolve().then(() => c.check()).catch(() => false)] as const));
  const ready = !isDraining() && results.every(([c, ok]) => ok || c.required === false);
  const status = !ready ? (isDraining() ? 'draining' : 'unavailable') : results.every(([, ok]) => ok) ? 'ready' : 'degraded';
  return { status: ready ? 200 : 503, body: { status, checks: Object.fromEntries(results.map(([c, ok]) => [c.name, ok ? 'up' : 'down'])) } };
}

/**
 * A path no route serves gets 404 in the GraphQL error shape every other refusal has
 * (`NOT_FOUND`), rather than express's HTML page. Mounted after every route.
 */
export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(notFoundBody(req.method, req.path));
};

/** What a path no route serves is answered with. */
export function notFoundBody(method: string, path: string) {
  return errorBody('NOT_FOUND', `nothing is served at ${method} ${path}`);
}

/** Malformed JSON and oversized bodies get a 400/413 in GraphQL's error shape, never a stack trace. */
export const bodyErrorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  const { status, body } = requestErrorAnswer(err);
  if (status === 500) req.log?.error({ err }, 'unhandled error');
  res.status(status).json(body);
};

/**
 * The answer to an error a request's handling threw or passed on: a body parser's (its status
 * and type) becomes a 4xx that says what was wrong; anything else is a 500 that says nothing more.
 */
export function requestErrorAnswer(err: unknown): { status: number; body: ReturnType<typeof errorBody> } {
  const failure = err as { status?: unknown; type?: unknown; message?: unknown; limit?: unknown; body?: unknown } | null | undefined;
  const status = typeof failure?.status === 'number' && failure.status >= 400 && failure.status < 500 ? failure.status : 500;
  const message =
    failure?.type === 'entity.parse.failed'
      ? unparsedBodyMessage(failure.body)
      : failure?.type === 'entity.too.large'
        ? `request body is too large: this service takes at most ${typeof failure.limit === 'number' ? `${failure.limit} bytes` : 'its limit'} (BODY_LIMIT_BYTES)`
        : status === 500
          ? 'internal error'
          : String(failure?.message ?? 'bad request');
  return { status, body: errorBody(status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST', message) };
}

/**
 * body-parser takes only an object or an array: a body that is JSON but neither (`null`, `42`)
 * is told what it should have been, rather than called malformed.
 */
function unparsedBodyMessage(raw: unknown): string {
  if (typeof raw === 'string' && !/^\s*[{[]/.test(raw)) {
    try {
      const value: unknown = JSON.parse(raw);
      return `request body must be a JSON object (a GraphQL request), not ${value === null ? 'null' : typeof value}`;
    } catch {
      // Not JSON at all: answered as such below.
    }
  }
  return 'request body is not valid JSON';
}

/** A handler of Node's own request and response, as body-parser's are: it fits express and plain `node:http` alike. */
export type NodeHttpHandler = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export function jsonBody(limitBytes: number, options: { keepRawBody?: boolean } = {}): NodeHttpHandler {
  // Loaded by the services that read bodies with it: the gateway reads its own, and this only for the rare compressed one.
  const { json } = require('body-parser') as typeof BodyParser;
  const parse = json({
    limit: limitBytes,
    verify: options.keepRawBody
      ? (req, _res, buffer) => {
          (req as Request).rawBody = buffer;
        }
      : undefined,
  });
  return (req, res, next) => {
    const contentType = req.headers['content-type'];
    const refused = contentType && jsonMediaType.test(contentType) ? unsupportedJsonCharset(contentType) : null;
    if (refused) return void next(refused);
    parse(req, res, next);
  };
}

/** The media types body-parser's `json` reads by default: `application/json` and `application/*+json`. */
const jsonMediaType = /^\s*application\/([\w.-]+\+)?json\s*(;|$)/i;
