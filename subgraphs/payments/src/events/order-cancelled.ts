import type { MikroORM } from '@mikro-orm/core';
import { EventHandler, on, orderCancelled } from '@ficus/events';
import { cancelPayment } from '../domain/cancel-payment';
import type { PaymentProvider } from '../domain/payment-provider';
import { causedBy } from './event-origin';

/**
 * Refunds or voids the payment of a cancelled order. Like `onPaymentRequested`, and for
 * the same reason (refund and void are provider calls, made outside transactions), it is
 * idempotent on the order id rather than through `handleOnce`: see `cancelPayment`.
 */
export function onOrderCancelled(orm: MikroORM, provider: PaymentProvider): EventHandler<typeof orderCancelled> {
  return on(orderCancelled, async (event, { logger }) => {
    const payment = await cancelPayment(orm.em.fork(), provider, event.data, causedBy(event));
    logger.info({ orderId: payment.orderId, paymentId: payment.id, status: payment.status }, 'order cancellation handled');
  });
}
