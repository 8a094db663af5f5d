import { SignJWT } from 'jose';
import type { TokenIssuer } from '../domain/auth-payload';
import { adminRole, UserRow } from '../domain/user';
import { algorithm, SigningKey } from './signing-key';

/** The gateway accepts only tokens with this issuer and audience. */
export const tokenIssuer = 'ficus-users';
export const tokenAudience = 'ficus';

/** The OAuth2 scopes each role grants, which the gateway checks for `@requiresScopes`; a customer has none. */
const scopesByRole: Readonly<Record<string, readonly string[]>> = {
  [adminRole]: ['catalog:write', 'inventory:write', 'orders:read-all'],
};

/** The token's `scope` claim (RFC 6749 §3.3): space-separated, omitted when the roles grant none. */
function scopeClaimOf(roles: readonly string[]): { scope?: string } {
  const scopes = [...new Set(roles.flatMap((role) => scopesByRole[role] ?? []))];
  return scopes.length > 0 ? { scope: scopes.join(' ') } : {};
}

export function createJwtIssuer(key: SigningKey, ttlSeconds: number): TokenIssuer {
  return {
    issue(user: UserRow): Promise<string> {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ email: user.email, roles: user.roles, ...scopeClaimOf(user.roles) })
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
