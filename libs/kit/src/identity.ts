import { createHmac, timingSafeEqual } from 'node:crypto';
import { forbidden, unauthenticated } from './errors';

/** Who is calling, as verified by the gateway from a bearer token. */
export interface Identity {
  userId: string;
  email: string;
  roles: string[];
}

/** Headers on which the gateway forwards a verified identity to subgraphs. */
export const identityHeaders = {
  userId: 'x-ficus-user-id',
  email: 'x-ficus-user-email',
  roles: 'x-ficus-user-roles',
} as const;

export function identityFromHeaders(headers: Record<string, string | string[] | undefined>): Identity | null {
  const userId = single(headers[identityHeaders.userId]);
  if (!userId) return null;
  return {
    userId,
    email: single(headers[identityHeaders.email]) ?? '',
    roles: (single(headers[identityHeaders.roles]) ?? '').split(',').filter(Boolean),
  };
}

/** The header on which the gateway forwards the client's IP address, for subgraphs' own limits. */
export const clientAddressHeader = 'x-ficus-client-ip';

export function clientAddressFromHeaders(headers: Record<string, string | string[] | undefined>): string | null {
  return single(headers[clientAddressHeader]) || null;
}

export function identityToHeaders(identity: Identity): Record<string, string> {
  return {
    [identityHeaders.userId]: identity.userId,
    [identityHeaders.email]: identity.email,
    [identityHeaders.roles]: identity.roles.join(','),
  };
}

export function requireIdentity(identity: Identity | null): Identity {
  if (!identity) throw unauthenticated();
  return identity;
}

export function requireRole(identity: Identity | null, role: string): Identity {
  const known = requireIdentity(identity);
  if (!known.roles.includes(role)) throw forbidden(`requires the ${role} role`);
  return known;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The header carrying the gateway's signature of the identity headers: `t=<ms since the epoch>,v1=<hex HMAC-SHA256>`. */
export const identitySignatureHeader = 'x-ficus-identity-signature';

/**
 * Signs the identity headers the gateway sends and checks them in subgraphs, with a secret
 * only they hold (`IDENTITY_SIGNING_SECRET`), so that a caller who reaches a subgraph directly
 * cannot become someone else (an admin) by setting x-ficus-* headers itself. A signature is
 * good for `maxAgeMs`, which bounds the replay of one seen on the wire.
 */
export class IdentitySignature {
  constructor(
    private readonly secret: string,
    private readonly maxAgeMs = 5 * 60_000,
  ) {}

  /** The identity headers, signed now. */
  headersFor(identity: Identity, now = Date.now()): Record<string, string> {
    const headers = identityToHeaders(identity);
    const mac = this.mac(now, headers[identityHeaders.userId]!, headers[identityHeaders.email]!, headers[identityHeaders.roles]!);
    return { ...headers, [identitySignatureHeader]: `t=${now},v1=${mac}` };
  }

  /**
   * The identity the headers prove: null when they name none (an anonymous request); throws
   * UNAUTHENTICATED when they name one without the gateway's valid, fresh signature.
   */
  identityFrom(headers: Record<string, string | string[] | undefined>, now = Date.now()): Identity | null {
    const identity = identityFromHeaders(headers);
    if (!identity) return null;
    const signature = /^t=(\d{1,15}),v1=([0-9a-f]{64})$/.exec(single(headers[identitySignatureHeader]) ?? '');
    if (!signature) throw unauthenticated('the identity headers are not signed by the gateway');
    const signedAt = Number(signature[1]);
    if (Math.abs(now - signedAt) > this.maxAgeMs) throw unauthenticated('the identity signature is too old');
    const expected = this.mac(
      signedAt,
      identity.userId,
      single(headers[identityHeaders.email]) ?? '',
      single(headers[identityHeaders.roles]) ?? '',
    );
    if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature[2]!, 'hex'))) {
      throw unauthenticated('the identity headers are not signed by the gateway');
    }
    return identity;
  }

  private mac(signedAt: number, userId: string, email: string, roles: string): string {
    return createHmac('sha256', this.secret).update(`${signedAt}\n${userId}\n${email}\n${roles}`).digest('hex');
  }
}
