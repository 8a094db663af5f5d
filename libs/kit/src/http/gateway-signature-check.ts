import type { RequestHandler } from 'express';
import { DomainError } from '../errors';
import { gatewayHeaderPrefix, RequestSignature } from '../request-signature';
import { isServiceSdlQuery } from './service-sdl-query';

/**
 * Refuses every request on the route that does not carry the gateway's valid signature over
 * its method, path, exact body bytes, x-ficus-* headers and time: 401 UNAUTHENTICATED in
 * GraphQL's error shape. One exception: an unsigned `{ _service { sdl } }` (the published
 * contract, read by `ficus subgraph introspect` and rover) is served, with any x-ficus-*
 * headers it carries removed so that nothing downstream reads an identity or address from it.
 * Mount after `jsonBody(…, { keepRawBody: true })`.
 */
export function gatewaySignatureCheck(signature: RequestSignature): RequestHandler {
  return (req, res, next) => {
    try {
      signature.verifyRequest({ method: req.method, path: req.originalUrl, body: req.rawBody ?? '', headers: req.headers });
      next();
    } catch (err) {
      if (!(err instanceof DomainError)) return next(err);
      if (req.method === 'POST' && isServiceSdlQuery((req.body as { query?: unknown } | undefined)?.query)) {
        for (const name of Object.keys(req.headers)) if (name.startsWith(gatewayHeaderPrefix)) delete req.headers[name];
        return next();
      }
      req.log?.info({ reason: err.message }, 'refused a request without a valid gateway signature');
      res.status(401).json({ errors: [{ message: err.message, extensions: { code: err.code } }] });
    }
  };
}
