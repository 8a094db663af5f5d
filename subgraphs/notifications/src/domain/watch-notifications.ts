import type { EntityManager } from '@mikro-orm/core';
import { notificationAdded } from '@ficus/events';
import { catchUpStream, domainEventFeed, Identity, requireIdentity } from '@ficus/kit';
import type { NatsConnection } from 'nats';
import { Notification, NotificationRow } from './notification';

/**
 * The signed-in user's notifications as they are stored, announced by
 * notifications.notification.added and read back from the database. With `after` (the id of
 * the last one the client saw) those stored since come first, oldest first: notification ids
 * are UUIDv7, so they sort by creation time.
 */
export async function watchNotifications(
  em: EntityManager,
  nats: NatsConnection,
  actor: Identity | null,
  after: string | null | undefined,
): Promise<AsyncIterableIterator<NotificationRow>> {
  const { userId } = requireIdentity(actor);
  return catchUpStream<NotificationRow>({
    feed: domainEventFeed(
      nats,
      notificationAdded.type,
      (event) => event.version === notificationAdded.version && (event.data as { userId?: unknown }).userId === userId,
    ),
    // A fresh unit of work per read: an identity map would keep what it read first.
    backlog: async () => (after ? em.fork().find(Notification, { userId, id: { $gt: after } }, { orderBy: { id: 'asc' } }) : []),
    load: (event) => em.fork().findOne(Notification, { id: (event.data as { notificationId: string }).notificationId, userId }),
    idOf: (notification) => notification.id,
  });
}
