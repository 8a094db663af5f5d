import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, on, paymentRequested } from '@ficus/events';
import { chargeOrder } from '../domain/charge-order';
import type { PaymentProvider } from '../domain/payment-provider';
import { causedBy } from './event-origin';

/**
 * Charges the order. Not wrapped in kit's `handleOnce`: that runs a handler in one
 * transaction, and the provider must be called outside any (a crash mid-call must not
 * roll back the trace of having called it, and a slow provider must not hold the
 * database). Idempotency comes from the order id instead, as for any redelivery under
 * another event id: one payment per order (unique), one charge per order at the provider
 * (idempotency key), and outcomes recorded only as a move away from PENDING (see `chargeOrder`).
 */
export function onPaymentRequested(orm: MikroORM, provider: PaymentProvider): EventHandler<typeof paymentRequested> {
  return on(paymentRequested, async (event, { logger }) => {
    const payment = await chargeOrder(orm.em.fork(), provider, event.data, causedBy(event));
    logger.info({ orderId: payment.orderId, paymentId: payment.id, status: payment.status }, 'payment request handled');
  });
}
