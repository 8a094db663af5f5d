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
  // UUIDv7, like event ids: unique and sortable by creation time.
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
