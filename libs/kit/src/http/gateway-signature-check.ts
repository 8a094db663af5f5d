import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { DomainError, errorBody } from '../errors';
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
    let refusal: SignatureRefusal | null;
    try {
      refusal = checkGatewaySignature(signature, { method: req.method, path: req.originalUrl, rawBody: req.rawBody ?? '', body: req.body, headers: req.headers, log: req.log });
    } catch (err) {
      return next(err);
    }
    if (refusal) res.status(401).json(refusal);
    else next();
  };
}

/** The 401 body of a request refused for its signature. */
export interface SignatureRefusal {
  errors: { message: string; extensions: { code: string } }[];
}

/**
 * The check behind `gatewaySignatureCheck`, for a request however it arrived (over HTTP, or
 * handed over in process): null when it may go on (x-ficus-* headers of an unsigned SDL read
 * removed from `headers`), else the refusal to answer with.
 */
export function checkGatewaySignature(
  signature: RequestSignature,
  request: { method: string; path: string; rawBody: string | Buffer; body: unknown; headers: Record<string, string | string[] | undefined>; log?: Logger },
): SignatureRefusal | null {
  try {
    signature.verifyRequest({ method: request.method, path: request.path, body: request.rawBody, headers: request.headers });
    return null;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    if (request.method === 'POST' && isServiceSdlQuery((request.body as { query?: unknown } | undefined)?.query)) {
      for (const name of Object.keys(request.headers)) if (name.startsWith(gatewayHeaderPrefix)) delete request.headers[name];
      return null;
    }
    request.log?.info({ reason: err.message }, 'refused a request without a valid gateway signature');
    return errorBody(err.code, err.message);
  }
}
