import { forbidden, Identity } from '@ficus/kit';
import { adminRole, UserRow } from './user';

/**
 * A user as the GraphQL layer resolves it. `reachedByReference` marks one another subgraph
 * named (an order's customer, through `_entities`): those are the references anyone who
 * reaches the subgraph can make, so they show private fields to that user and admins only.
 */
export type UserView = UserRow & { reachedByReference?: true };

export function asReference(user: UserRow | null): UserView | null {
  return user && { ...user, reachedByReference: true };
}

/** A user's email: their own, or an admin's to see, when the user was reached by reference. */
export function visibleEmail(user: UserView, actor: Identity | null): string {
  if (!user.reachedByReference) return user.email;
  if (actor && (actor.userId === user.id || actor.roles.includes(adminRole))) return user.email;
  throw forbidden("only that user or an admin may see a user's email");
}
