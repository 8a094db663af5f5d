import type { EntityManager } from '@mikro-orm/core';
import { Order } from './order';
import { cancelPendingOrder } from './order-saga';

/**
 * Cancels (PAYMENT_TIMEOUT) orders whose payment deadline has passed, each in its own
 * transaction so one failure does not hold back the others. Returns how many it cancelled.
 * Safe beside other replicas and a late payment: the cancellation is conditional on PENDING.
 */
export async function timeOutOverduePayments(em: EntityManager, now: Date, batchSize = 100): Promise<number> {
  const overdue = await em.fork().find(
    Order,
    { sagaStep: 'AWAITING_PAYMENT', status: 'PENDING', paymentDeadline: { $lte: now } },
    { fields: ['id', 'correlationId'], orderBy: { paymentDeadline: 'asc' }, limit: batchSize },
  );
  let cancelled = 0;
  for (const { id, correlationId } of overdue) {
    const order = await em.fork().transactional((tx) => cancelPendingOrder(tx, id, 'PAYMENT_TIMEOUT', { correlationId }));
    if (order) cancelled += 1;
  }
  return cancelled;
}
