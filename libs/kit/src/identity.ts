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
