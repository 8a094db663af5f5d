import type { EntityManager } from '@mikro-orm/core';
import { DomainEventFeeds, Identity, notFound, requireIdentity, SharedReads, stateStream } from '@ficus/kit';
import { requireCustomerOrAdmin } from './access';
import { Order, OrderRow } from './order';

/**
 * An order's statuses as a stream, for its customer or an admin: PENDING (every order starts
 * there, so a subscriber who came late still sees the whole history), then the status it has
 * now, then each change that the orders.* events announce, read back from the database. It
 * completes at CONFIRMED or CANCELLED, after which the order never changes. The subscribers
 * woken by one event share one read of the order (`orderReads`, one per service).
 */
export async function watchOrderStatus(
  em: EntityManager,
  feeds: DomainEventFeeds,
  orderReads: SharedReads<OrderRow | null>,
  actor: Identity | null,
  orderId: string,
): Promise<AsyncIterableIterator<OrderRow>> {
  const known = requireIdentity(actor);
  const order = await em.fork().findOne(Order, { id: orderId });
  if (!order) throw notFound(`no order ${orderId}`);
  requireCustomerOrAdmin(known, order.customerId, 'only its customer or an admin may watch an order');
  return stateStream<OrderRow>({
    feed: feeds.open('orders.>', { aggregateId: orderId }),
    // A fresh unit of work per read: an identity map would hand back the status first read.
    // Only reads caused by the same event are shared: a read begun before a change committed
    // would hand its subscribers a state older than the event that woke them.
    load: (cause) => {
      const read = () => em.fork().findOne(Order, { id: orderId });
      return cause ? orderReads.read(`${orderId}:${cause.id}`, read) : read();
    },
    fingerprint: (o) => o.status,
    history: (o) => (o.status === 'PENDING' ? [] : [{ ...o, status: 'PENDING', cancellationReason: null }]),
    isFinal: (o) => o.status !== 'PENDING',
  });
}
