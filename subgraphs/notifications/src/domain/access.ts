import { forbidden, Identity, requireIdentity } from '@ficus/kit';

const adminRole = 'admin';

/** A user's notifications are theirs to read, and their admins'. */
export function requireSightOf(actor: Identity | null, userId: string): Identity {
  const known = requireIdentity(actor);
  if (known.userId !== userId && !known.roles.includes(adminRole)) {
    throw forbidden("only that user or an admin may see a user's notifications");
  }
  return known;
}
