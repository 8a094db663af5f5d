import { SignJWT } from 'jose';
import type { TokenIssuer } from '../domain/auth-payload';
import type { UserRow } from '../domain/user';
import { algorithm, SigningKey } from './signing-key';

/** The gateway accepts only tokens with this issuer and audience. */
export const tokenIssuer = 'ficus-users';
export const tokenAudience = 'ficus';

export function createJwtIssuer(key: SigningKey, ttlSeconds: number): TokenIssuer {
  return {
    issue(user: UserRow): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ email: user.email, roles: user.roles })
        .setProtectedHeader({ alg: algorithm, kid: key.kid, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(tokenIssuer)
        .setAudience(tokenAudience)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(key.privateKey);
    },
  };
}
