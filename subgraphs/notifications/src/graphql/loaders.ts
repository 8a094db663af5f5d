import type { EntityManager } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import { findNotificationsByIds, newestNotificationsOf } from '../domain/find-notifications';
import type { NotificationRow } from '../domain/notification';

/** A user's newest notifications; `first` is part of the key because two fields may ask for different counts. */
export interface NewestOfUser {
  userId: string;
  first: number;
}

/** Per-request loaders: N users' notifications, or N notification references, in one tick cost one query. */
export interface NotificationLoaders {
  notification: DataLoader<string, NotificationRow | null>;
  newestOfUser: DataLoader<NewestOfUser, NotificationRow[], string>;
}

export function createLoaders(em: EntityManager): NotificationLoaders {
  return {
    notification: new DataLoader((ids) => findNotificationsByIds(em, ids)),
    newestOfUser: new DataLoader(
      async (keys) => {
        // One query for the batch at the largest count asked; each key is cut to its own.
        const limit = Math.max(...keys.map((key) => key.first));
        const byUser = await newestNotificationsOf(em, [...new Set(keys.map((key) => key.userId))], limit);
        return keys.map(({ userId, first }) => (byUser.get(userId) ?? []).slice(0, first));
      },
      { cacheKeyFn: ({ userId, first }) => `${first}:${userId}` },
    ),
  };
}
