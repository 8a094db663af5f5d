import type { Identity } from '@ficus/kit/service';
import { createRemoteJWKSet, errors, importSPKI, JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import type { TokenKeySource } from '../config';

/** The token is not one the users subgraph issued for this audience, or it has expired. */
export class InvalidTokenError extends Error {
  constructor(
    message: string,
    /** Why, for the log (jose's error code); never sent to the client. */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** Who a valid bearer token proves the caller is, and until when. */
export interface VerifiedToken {
  identity: Identity;
  /** The token's `exp`, in milliseconds since the epoch: streams opened with it end then. */
  expiresAt: number;
  /** The OAuth2 `scope` claim (RFC 6749 §3.3, space-separated), split: what `@requiresScopes` checks. */
  scopes: string[];
}

/** Resolves the identity a bearer token proves; rejects with `InvalidTokenError` when it proves none. */
export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

export interface TokenVerifierOptions {
  keys: TokenKeySource;
  issuer: string;
  audience: string;
}

const identityClaims = z.object({
  sub: z.string().min(1),
  email: z.string(),
  roles: z.array(z.string()),
  exp: z.number(),
});

// Not a string (an array, say) is not the standard claim: such a token proves no scopes.
const scopeClaim = z.string().optional().catch(undefined);

// The key set could not be fetched or read: a fault on our side, not a bad token.
const keySetFailures = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

export async function createTokenVerifier(options: TokenVerifierOptions): Promise<TokenVerifier> {
  const getKey = await keyResolver(options.keys);
  return async (token) => {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['EdDSA'],
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      if (!(err instanceof errors.JOSEError) || keySetFailures.has(err.code)) throw err;
      const message = err instanceof errors.JWTExpired ? 'the bearer token has expired' : 'the bearer token is invalid';
      throw new InvalidTokenError(message, err.code);
    }
    const claims = identityClaims.safeParse(payload);
    if (!claims.success) {
      throw new InvalidTokenError('the bearer token lacks the sub, email or roles claim', 'ERR_IDENTITY_CLAIMS');
    }
    return {
      identity: { userId: claims.data.sub, email: claims.data.email, roles: claims.data.roles },
      expiresAt: claims.data.exp * 1000,
      scopes: scopesOf(scopeClaim.parse(payload.scope)),
    };
  };
}

function scopesOf(scope: string | undefined): string[] {
  return scope?.split(' ').filter((name) => name !== '') ?? [];
}

async function keyResolver(keys: TokenKeySource): Promise<JWTVerifyGetKey> {
  if (keys.kind === 'jwks') {
    // Made on the first token, which fetches the key set anyway: jose's remote key set builds a
    // WHATWG Headers when made, which loads Node's own fetch (a second undici, 3 MB of heap).
    let remote: JWTVerifyGetKey | null = null;
    const url = new URL(keys.url);
    return (protectedHeader, token) => (remote ??= createRemoteJWKSet(url))(protectedHeader, token);
  }
  const publicKey = await importSPKI(keys.pem, 'EdDSA');
  return async () => publicKey;
}
