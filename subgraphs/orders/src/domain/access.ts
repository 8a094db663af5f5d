import { forbidden, Identity, requireIdentity } from '@ficus/kit';

export const adminRole = 'admin';

/** A customer's orders are visible to that customer and to admins; anyone else is refused. */
export function requireCustomerOrAdmin(actor: Identity | null, customerId: string, refusal: string): Identity {
  const known = requireIdentity(actor);
  if (known.userId !== customerId && !known.roles.includes(adminRole)) throw forbidden(refusal);
  return known;
}
