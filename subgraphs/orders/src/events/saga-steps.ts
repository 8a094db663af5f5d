import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, paymentDeclined, paymentSucceeded, stockRejected, stockReserved } from '@ficus/events';
import { handleOnce } from '@ficus/kit';
import { cancelPendingOrder, confirmOrder, requestPayment } from '../domain/order-saga';
import { causedBy, consumerName } from './consumer';

// Each step changes the order only while it is PENDING at the expected step; an event
// that arrives late (stock reserved for an order the customer has since cancelled, a
// payment that succeeds after the timeout) changes nothing, and the compensation already
// under way (inventory releasing, payments refunding on orders.order.cancelled) stands.

export function onStockReserved(orm: MikroORM, paymentTimeoutMs: number): EventHandler<typeof stockReserved> {
  return handleOnce(orm, consumerName, stockReserved, async (em, event, { logger }) => {
    const order = await requestPayment(em, event.data.orderId, paymentTimeoutMs, causedBy(event));
    if (!order) logger.info({ orderId: event.data.orderId }, 'stock reserved for an order no longer awaiting stock; nothing to do');
  });
}

export function onStockRejected(orm: MikroORM): EventHandler<typeof stockRejected> {
  return handleOnce(orm, consumerName, stockRejected, async (em, event, { logger }) => {
    const order = await cancelPendingOrder(em, event.data.orderId, 'OUT_OF_STOCK', causedBy(event));
    if (!order) logger.info({ orderId: event.data.orderId }, 'stock rejected for an order no longer PENDING; nothing to do');
  });
}

export function onPaymentSucceeded(orm: MikroORM): EventHandler<typeof paymentSucceeded> {
  return handleOnce(orm, consumerName, paymentSucceeded, async (em, event, { logger }) => {
    const order = await confirmOrder(em, event.data.orderId, causedBy(event));
    if (!order) logger.info({ orderId: event.data.orderId }, 'payment succeeded for an order no longer PENDING; payments refunds it');
  });
}

export function onPaymentDeclined(orm: MikroORM): EventHandler<typeof paymentDeclined> {
  return handleOnce(orm, consumerName, paymentDeclined, async (em, event, { logger }) => {
    const order = await cancelPendingOrder(em, event.data.orderId, 'PAYMENT_DECLINED', causedBy(event));
    if (!order) logger.info({ orderId: event.data.orderId }, 'payment declined for an order no longer PENDING; nothing to do');
  });
}
