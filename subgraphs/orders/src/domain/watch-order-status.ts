import type { EntityManager } from '@mikro-orm/core';
import { domainEventFeed, Identity, notFound, requireIdentity, stateStream } from '@ficus/kit';
import type { NatsConnection } from 'nats';
import { requireCustomerOrAdmin } from './access';
import { Order, OrderRow } from './order';

/**
 * An order's statuses as a stream, for its customer or an admin: PENDING (every order starts
 * there, so a subscriber who came late still sees the whole history), then the status it has
 * now, then each change that the orders.* events announce, read back from the database. It
 * completes at CONFIRMED or CANCELLED, after which the order never changes.
 */
export async function watchOrderStatus(em: EntityManager, nats: NatsConnection, actor: Identity | null, orderId: string): Promise<AsyncIterableIterator<OrderRow>> {
  const known = requireIdentity(actor);
  const order = await em.fork().findOne(Order, { id: orderId });
  if (!order) throw notFound(`no order ${orderId}`);
  requireCustomerOrAdmin(known, order.customerId, 'only its customer or an admin may watch an order');
  return stateStream<OrderRow>({
    feed: domainEventFeed(nats, 'orders.>', (event) => event.aggregateId === orderId),
    // A fresh unit of work per read: an identity map would hand back the status first read.
    load: () => em.fork().findOne(Order, { id: orderId }),
    fingerprint: (o) => o.status,
    history: (o) => (o.status === 'PENDING' ? [] : [{ ...o, status: 'PENDING', cancellationReason: null }]),
    isFinal: (o) => o.status !== 'PENDING',
  });
}
