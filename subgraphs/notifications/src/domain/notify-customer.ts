import type { EntityManager } from '@mikro-orm/core';
import { EventOrigin, newEventId, notificationAdded } from '@ficus/events';
import { recordEvent } from '@ficus/kit';
import type { NotificationKind, NotificationRow } from './notification';

export interface OrderNews {
  userId: string;
  orderId: string;
  kind: NotificationKind;
  message: string;
}

/**
 * Records a notification in the caller's transaction, unless the user was already told of
 * this outcome of this order (the same news under another event id): one insert that the
 * (orderId, kind) unique index turns into nothing when the row exists. A delivery racing
 * with another waits on that index and then does nothing. Null when nothing was recorded.
 * A stored notification is announced (`notifications.notification.added`) through the
 * outbox, in the same transaction, so subscribers hear of every row and of no other.
 */
export async function notifyCustomer(em: EntityManager, news: OrderNews, origin: EventOrigin): Promise<NotificationRow | null> {
  await takeTurnOf(em, news.userId);
  // UUIDv7, like event ids: unique and sortable by creation time. Made once this transaction
  // has the user's turn, so a user's notifications commit in id order and a client that
  // resumes `after` the last id it saw misses none.
  const row: NotificationRow = { id: newEventId(), ...news, createdAt: new Date() };
  const { affectedRows }: { affectedRows: number } = await em
    .getConnection()
    .execute(
      'insert into notifications (id, user_id, kind, message, order_id, created_at) values (?, ?, ?, ?, ?, ?)' +
        ' on conflict (order_id, kind) do nothing',
      [row.id, row.userId, row.kind, row.message, row.orderId, row.createdAt],
      'run',
      em.getTransactionContext(),
    );
  if (affectedRows === 0) return null;
  const { id: notificationId, userId, orderId, kind, createdAt } = row;
  recordEvent(em, notificationAdded.create(userId, { notificationId, userId, orderId, kind, createdAt: createdAt.toISOString() }, origin));
  return row;
}

/**
 * Waits until no other transaction is notifying the same user, and keeps the turn until
 * this one ends. PostgreSQL: a transaction-scoped advisory lock on the user. SQLite has one
 * writer at a time, and this transaction writes already (its inbox row), so it holds the turn.
 */
async function takeTurnOf(em: EntityManager, userId: string): Promise<void> {
  if (em.getPlatform().constructor.name !== 'PostgreSqlPlatform') return;
  await em.getConnection().execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`notifications:${userId}`], 'all', em.getTransactionContext());
}
