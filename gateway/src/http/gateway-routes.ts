import type { ServerResponse } from 'node:http';
import { type HealthCheck, liveness, type Logger, notFoundBody, readiness, requestErrorAnswer, requestIdOf } from '@ficus/kit/service';
import { GatewayRequest, HttpStage, sendJson } from './gateway-request';

export interface GatewayRoutes {
  logger: Logger;
  /** `/ready`'s checks, and whether the gateway is draining (then it is not ready). */
  readiness: { checks: HealthCheck[]; isDraining(): boolean };
  /** `/metrics`: the exposition's content type and text. */
  metrics: { contentType: string; text(): Promise<string> };
  /** The GraphQL endpoint's stages, on `/graphql`. */
  graphql: HttpStage;
}

/**
 * The gateway's HTTP paths: `/graphql`, `/health`, `/ready` and `/metrics`, each on its path with
 * or without a trailing slash and in any case, as express matched them; every other path is 404
 * `NOT_FOUND`. Every answer carries the request's id (`x-request-id`, the caller's when plausible).
 * A request whose handling fails is answered by `requestErrorAnswer` (a body too large 413,
 * malformed JSON 400, anything else 500 with nothing more said).
 */
export function gatewayRoutes(routes: GatewayRoutes): (req: GatewayRequest, res: ServerResponse) => void {
  const failed = (req: GatewayRequest, res: ServerResponse) => (err: unknown) => {
    if (res.headersSent) {
      req.log.error({ err }, 'the request failed after its answer began');
      res.destroy();
      return;
    }
    const { status, body } = requestErrorAnswer(err);
    if (status === 500) req.log.error({ err }, 'unhandled error');
    sendJson(res, status, body);
  };
  return (req, res) => {
    req.identify(requestIdOf(req.headers['x-request-id']), routes.logger);
    res.setHeader('x-request-id', req.requestId);
    const path = pathOf(req.url ?? '/');
    const route = path.toLowerCase().replace(/(.)\/$/, '$1');
    const reads = req.method === 'GET' || req.method === 'HEAD';
    if (route === '/graphql') {
      const done = failed(req, res);
      const finish = (err?: unknown) => (err === undefined ? sendJson(res, 404, notFoundBody(req.method ?? '', path)) : done(err));
      Promise.resolve(routes.graphql(req, res, finish)).catch(done);
    } else if (route === '/health' && reads) {
      sendJson(res, 200, liveness);
    } else if (route === '/ready' && reads) {
      readiness(routes.readiness.checks, routes.readiness.isDraining).then(({ status, body }) => sendJson(res, status, body), failed(req, res));
    } else if (route === '/metrics' && reads) {
      routes.metrics.text().then((text) => {
        res.setHeader('content-type', routes.metrics.contentType);
        res.end(text);
      }, failed(req, res));
    } else {
      sendJson(res, 404, notFoundBody(req.method ?? '', path));
    }
  };
}

/** The path of a request target: origin form (`/graphql?…`) or, from a proxy, absolute form (`http://host/graphql`). */
function pathOf(target: string): string {
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  if (path.startsWith('/')) return path;
  try {
    return new URL(target).pathname;
  } catch {
    return path;
  }
}
