import type { EntityManager } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import { findUsersByIds } from '../domain/find-users';
import type { UserRow } from '../domain/user';

/** Per-request loaders: N user look-ups in one tick cost one query. */
export interface UserLoaders {
  user: DataLoader<string, UserRow | null>;
}

export function createLoaders(em: EntityManager): UserLoaders {
  return { user: new DataLoader((ids) => findUsersByIds(em, ids)) };
}
