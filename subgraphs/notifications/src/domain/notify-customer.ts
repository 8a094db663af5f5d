import type { EntityManager } from '@mikro-orm/core';
import { newEventId } from '@ficus/events';
import { Notification, NotificationKind, NotificationRow } from './notification';

export interface OrderNews {
  userId: string;
  orderId: string;
  kind: NotificationKind;
  message: string;
}

/**
 * Records a notification in the caller's transaction, unless the user was already told of
 * this outcome of this order (the same news under another event id). Two deliveries racing
 * past the check collide on the (orderId, kind) unique index; the loser's retry finds the row.
 */
export async function notifyCustomer(em: EntityManager, news: OrderNews): Promise<NotificationRow | null> {
  const told = await em.findOne(Notification, { orderId: news.orderId, kind: news.kind });
  if (told) return null;
  // UUIDv7, like event ids: unique and sortable by creation time.
  return em.create(Notification, { id: newEventId(), ...news, createdAt: new Date() });
}
