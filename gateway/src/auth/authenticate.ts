import type { ServerResponse } from 'node:http';
import { HttpStage, sendJson } from '../http/gateway-request';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

/**
 * Verifies the bearer token before any GraphQL work: no token is an anonymous request,
 * a bad one is refused with 401 UNAUTHENTICATED and never reaches a subgraph.
 */
export function authenticate(verify: TokenVerifier): HttpStage {
  return async (req, res, next) => {
    req.identity = null;
    req.credentialsExpireAt = null;
    req.scopes = [];
    const authorization = req.header('authorization');
    if (authorization === undefined) return next();

    const token = bearerTokenOf(authorization);
    if (!token) return refuse(res, malformedAuthorization);
    try {
      const verified = await verify(token);
      req.identity = verified.identity;
      req.scopes = verified.scopes;
      req.credentialsExpireAt = verified.expiresAt;
    } catch (err) {
      if (err instanceof InvalidTokenError) {
        req.log.info({ reason: err.reason }, 'refused a bearer token');
        return refuse(res, err.message);
      }
      req.log.error({ err }, 'cannot verify bearer tokens: the signing keys are unavailable');
      sendJson(res, 503, graphqlError('cannot verify the bearer token right now; try again', 'INTERNAL_SERVER_ERROR'));
      return;
    }
    next();
  };
}

export const malformedAuthorization = 'the Authorization header must be "Bearer <token>"';

/** The token of a `Bearer <token>` authorization value, or null when it is not one. */
export function bearerTokenOf(authorization: string): string | null {
  return /^Bearer +([\w.~+/-]+=*) *$/i.exec(authorization)?.[1] ?? null;
}

function refuse(res: ServerResponse, message: string): void {
  res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
  sendJson(res, 401, graphqlError(message, 'UNAUTHENTICATED'));
}

function graphqlError(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}
