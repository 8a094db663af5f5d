import type { EntityManager } from '@mikro-orm/core';
import { forbidden, Identity, requireIdentity } from '@ficus/kit';
import { adminRole, User, UserRow } from './user';

/** Loads users by id; a per-request DataLoader satisfies it. */
export interface UserFinder {
  load(id: string): Promise<UserRow | null>;
}

/** Users by id in one query, in the order asked, `null` where none exists. */
export async function findUsersByIds(em: EntityManager, ids: readonly string[]): Promise<(UserRow | null)[]> {
  const rows = await em.find(User, { id: { $in: [...ids] } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** The caller's own account, or `null` when anonymous. */
export async function currentUser(users: UserFinder, actor: Identity | null): Promise<UserRow | null> {
  return actor ? users.load(actor.userId) : null;
}

/** A user's account is visible to that user and to admins. */
export async function findVisibleUser(users: UserFinder, actor: Identity | null, id: string): Promise<UserRow | null> {
  const known = requireIdentity(actor);
  if (known.userId !== id && !known.roles.includes(adminRole)) throw forbidden('only that user or an admin may see an account');
  return users.load(id);
}
