import type { Identity } from '@ficus/kit/service';
import type { RequestHandler, Response } from 'express';
import { InvalidTokenError, TokenVerifier } from './token-verifier';

declare module 'express-serve-static-core' {
  interface Request {
    /** Who the bearer token proves the caller is; null for an anonymous request. */
    identity: Identity | null;
    /** When the bearer token expires (ms since the epoch); null for an anonymous request. */
    credentialsExpireAt: number | null;
    /** The bearer token's OAuth2 scopes; empty for an anonymous request. */
    scopes: readonly string[];
  }
}

/**
 * Verifies the bearer token before any GraphQL work: no token is an anonymous request,
 * a bad one is refused with 401 UNAUTHENTICATED and never reaches a subgraph.
 */
export function authenticate(verify: TokenVerifier): RequestHandler {
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
      res.status(503).json(graphqlError('cannot verify the bearer token right now; try again', 'INTERNAL_SERVER_ERROR'));
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

function refuse(res: Response, message: string): void {
  res.status(401).setHeader('www-authenticate', 'Bearer error="invalid_token"').json(graphqlError(message, 'UNAUTHENTICATED'));
}

function graphqlError(message: string, code: string) {
  return { errors: [{ message, extensions: { code } }] };
}
