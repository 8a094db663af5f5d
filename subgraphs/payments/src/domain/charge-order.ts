import type { EntityManager } from '@mikro-orm/core';
import { EventOrigin, paymentDeclined, paymentSucceeded } from '@ficus/events';
import { recordEvent } from '@ficus/kit';
import { findPaymentOfOrder } from './find-payments';
import { movePayment } from './move-payment';
import { openPayment, PaymentRequest } from './open-payment';
import { amountOf, isRequested, PaymentRow, RequestedPayment } from './payment';
import type { ChargeResult, PaymentProvider } from './payment-provider';

export interface ChargeOrderInput extends PaymentRequest {
  paymentToken: string;
}

/**
 * Charges an order once, however often and however concurrently it is asked to, and
 * whatever crash interrupts it. Three steps, each safe to repeat:
 *  1. the payment is recorded PENDING in a transaction of its own (see `openPayment`);
 *  2. the provider is charged outside any transaction, with the order id as idempotency
 *     key, so a repeated charge returns the first result and moves no money;
 *  3. the outcome and its event are recorded in one transaction, moving the payment on
 *     from PENDING only if it still is.
 * A crash between 2 and 3 leaves the payment PENDING; the redelivered request finds it
 * so and repeats 2 (no new charge) and 3. A payment already settled, or voided because
 * the order was cancelled first, is returned as it is: its events were recorded when it moved.
 */
export async function chargeOrder(
  em: EntityManager,
  provider: PaymentProvider,
  input: ChargeOrderInput,
  origin: EventOrigin,
): Promise<PaymentRow> {
  const payment = await openPayment(em, input);
  if (payment.status !== 'PENDING' || !isRequested(payment)) return payment;
  const result = await provider.charge({
    idempotencyKey: payment.orderId,
    amount: payment.amount,
    currency: payment.currency,
    token: input.paymentToken,
  });
  const moved = await recordChargeResult(em, payment, result, origin);
  return moved ?? (await findPaymentOfOrder(em, payment.orderId))!;
}

/**
 * Step 3. A provider that has not answered leaves the payment PENDING, and nothing is
 * announced. Returns the payment as this step moved it, or null when it did not move it.
 */
async function recordChargeResult(
  em: EntityManager,
  payment: RequestedPayment,
  result: ChargeResult,
  origin: EventOrigin,
): Promise<PaymentRow | null> {
  if (result.outcome === 'pending') return null;
  const { id: paymentId, orderId } = payment;
  return em.transactional(async (tx) => {
    if (result.outcome === 'succeeded') {
      const moved = await movePayment(tx, paymentId, 'PENDING', { status: 'SUCCEEDED', providerChargeId: result.providerChargeId });
      if (moved) recordEvent(tx, paymentSucceeded.create(paymentId, { orderId, paymentId, amount: amountOf(payment) }, origin));
      return moved;
    }
    const moved = await movePayment(tx, paymentId, 'PENDING', { status: 'DECLINED', declineReason: result.reason });
    if (moved) recordEvent(tx, paymentDeclined.create(paymentId, { orderId, paymentId, reason: result.reason }, origin));
    return moved;
  });
}
