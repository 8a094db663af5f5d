import type { EntityManager } from '@mikro-orm/core';
import { newEventId, notificationAdded } from '@ficus/events';
import { catchUpStream, DomainEventFeeds, Identity, requireIdentity, SharedReads } from '@ficus/kit';
import { Notification, NotificationRow } from './notification';

/**
 * The signed-in user's notifications as they are stored, announced by
 * notifications.notification.added and read back from the database. With `after` (the id of
 * the last one the client saw) those stored since come first, oldest first: notification ids
 * are UUIDv7, so they sort by creation time. A user's subscribers (tabs, devices) woken by one
 * event share one read of what it announces (`notificationReads`, one per service).
 */
export async function watchNotifications(
  em: EntityManager,
  feeds: DomainEventFeeds,
  notificationReads: SharedReads<NotificationRow | null>,
  actor: Identity | null,
  after: string | null | undefined,
): Promise<AsyncIterableIterator<NotificationRow>> {
  const { userId } = requireIdentity(actor);
  // Where a subscriber who named no point starts, for the read after a gap: a UUIDv7 of now
  // sorts after every notification stored before it (given clocks kept in step, as NTP does).
  const from = after ?? newEventId();
  const storedAfter = (id: string) => em.fork().find(Notification, { userId, id: { $gt: id } }, { orderBy: { id: 'asc' } });
  return catchUpStream<NotificationRow>({
    // The event's aggregate is the user it was added for: a map lookup finds the user's feeds.
    feed: feeds.open(notificationAdded.type, { aggregateId: userId }),
    // A fresh unit of work per read: an identity map would keep what it read first.
    backlog: async () => (after ? storedAfter(after) : []),
    // After NATS reconnected, what was stored since the last one sent: its announcement may be lost.
    missed: (lastId) => storedAfter(lastId ?? from),
    // A stored notification never changes, so what one event announces may be read once for all.
    load: async (event) =>
      event.version !== notificationAdded.version
        ? null
        : notificationReads.read(`${userId}:${event.id}`, () =>
            em.fork().findOne(Notification, { id: (event.data as { notificationId: string }).notificationId, userId }),
          ),
    idOf: (notification) => notification.id,
  });
}
