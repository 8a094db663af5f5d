import type { EntityManager } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { badInput, forbidden, Identity, notFound, requireIdentity } from '@ficus/kit';
import { Order, OrderRow } from './order';
import { cancelPendingOrder } from './order-saga';

/** The customer calls off one of their orders while it is PENDING; inventory and payments compensate. */
export async function cancelOrder(em: EntityManager, actor: Identity | null, orderId: string, origin: EventOrigin): Promise<OrderRow> {
  const customer = requireIdentity(actor);
  return em.transactional(async (tx) => {
    const order = await tx.findOne(Order, { id: orderId });
    if (!order) throw notFound(`no order ${orderId}`);
    if (order.customerId !== customer.userId) throw forbidden('only its customer may cancel an order');
    const cancelled = order.status === 'PENDING' ? await cancelPendingOrder(tx, orderId, 'CUSTOMER_CANCELLED', origin) : null;
    if (cancelled) return cancelled;
    // Not PENDING when read, or the saga moved it on between the read and the update.
    const current = await tx.findOneOrFail(Order, { id: orderId }, { refresh: true });
    throw badInput(`order is ${current.status}`);
  });
}
