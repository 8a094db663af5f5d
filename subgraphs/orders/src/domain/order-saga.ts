import type { EntityManager } from '@mikro-orm/core';
import { EventOrigin, orderCancelled, orderConfirmed, paymentRequested } from '@ficus/events';
import { recordEvent, updateReturning } from '@ficus/kit';
import { CancellationReason, Order, OrderRow, totalOf } from './order';

// Every step is one conditional UPDATE guarded by the state it leaves, so of two concurrent
// steps on one order (a payment succeeding as its deadline passes) exactly one wins, and
// the events are recorded only by the winner, in its transaction. The UPDATE returns the
// row, so the winner has the order as it now stands without reading it again.

/** Stock is held: asks payments to charge the order and starts its payment deadline. */
export async function requestPayment(
  em: EntityManager,
  orderId: string,
  timeoutMs: number,
  origin: EventOrigin,
): Promise<OrderRow | null> {
  const now = new Date();
  const order = await updateReturning(
    em,
    Order,
    { id: orderId, status: 'PENDING', sagaStep: 'AWAITING_STOCK' },
    { sagaStep: 'AWAITING_PAYMENT', paymentDeadline: new Date(now.getTime() + timeoutMs), updatedAt: now },
  );
  if (!order) return null;
  recordEvent(
    em,
    paymentRequested.create(
      order.id,
      { orderId: order.id, customerId: order.customerId, amount: totalOf(order), paymentToken: order.paymentToken },
      origin,
    ),
  );
  return order;
}

/** Paid: the order is confirmed, unless it was cancelled meanwhile (payments then refunds on the cancellation). */
export async function confirmOrder(em: EntityManager, orderId: string, origin: EventOrigin): Promise<OrderRow | null> {
  const order = await updateReturning(
    em,
    Order,
    { id: orderId, status: 'PENDING' },
    { status: 'CONFIRMED', sagaStep: 'DONE', updatedAt: new Date() },
  );
  if (!order) return null;
  recordEvent(em, orderConfirmed.create(order.id, { orderId: order.id, customerId: order.customerId, total: totalOf(order) }, origin));
  return order;
}

/** Cancels an order that is still PENDING and tells inventory and payments to compensate. */
export async function cancelPendingOrder(
  em: EntityManager,
  orderId: string,
  reason: CancellationReason,
  origin: EventOrigin,
): Promise<OrderRow | null> {
  const order = await updateReturning(
    em,
    Order,
    { id: orderId, status: 'PENDING' },
    { status: 'CANCELLED', cancellationReason: reason, sagaStep: 'DONE', updatedAt: new Date() },
  );
  if (!order) return null;
  recordEvent(em, orderCancelled.create(order.id, { orderId: order.id, customerId: order.customerId, reason }, origin));
  return order;
}
