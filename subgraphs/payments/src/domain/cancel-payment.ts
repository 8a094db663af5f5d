import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { EventOrigin, newEventId, paymentRefunded } from '@ficus/events';
import { recordEvent } from '@ficus/kit';
import { findPaymentOfOrder } from './find-payments';
import { movePayment } from './move-payment';
import { amountOf, isRequested, Payment, PaymentRow, PaymentStatus } from './payment';
import type { PaymentProvider } from './payment-provider';

export interface CancelledOrder {
  orderId: string;
  customerId: string;
}

// Each round moves the payment forward (none → VOIDED, PENDING → VOIDED/REFUNDED,
// SUCCEEDED → REFUNDED) or finds that a concurrent writer did: three rounds always settle it.
const MAX_ROUNDS = 4;

/**
 * Gives the customer's money back for a cancelled order, once however often it is told:
 *  - SUCCEEDED: refunded at the provider (idempotency key = order id), then REFUNDED + `payments.payment.refunded`;
 *  - PENDING: the provider is told to drop the charge first, so that it can never settle
 *    afterwards; if it had already succeeded, it is refunded as above, otherwise VOIDED;
 *  - no payment yet: a VOIDED tombstone, so a request arriving later charges nothing;
 *  - DECLINED, VOIDED, REFUNDED: nothing to give back.
 * Provider calls happen outside transactions; the state change and its event commit together,
 * moving the payment on only from the status it was read in.
 */
export async function cancelPayment(
  em: EntityManager,
  provider: PaymentProvider,
  order: CancelledOrder,
  origin: EventOrigin,
): Promise<PaymentRow> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const payment = await findPaymentOfOrder(em, order.orderId);
    if (!payment) {
      if (await recordTombstone(em, order)) return (await findPaymentOfOrder(em, order.orderId))!;
      continue;
    }
    if (payment.status === 'SUCCEEDED') {
      if (await refund(em, provider, payment, 'SUCCEEDED', payment.providerChargeId!, origin)) return settled(em, payment);
    } else if (payment.status === 'PENDING') {
      const voided = await provider.void({ idempotencyKey: payment.orderId });
      const moved =
        voided.outcome === 'succeeded'
          ? await refund(em, provider, payment, 'PENDING', voided.providerChargeId, origin)
          : await movePayment(em, payment.id, 'PENDING', { status: 'VOIDED' });
      if (moved) return settled(em, payment);
    } else {
      return payment;
    }
  }
  throw new Error(`the payment of order ${order.orderId} kept changing while it was being cancelled`);
}

async function refund(
  em: EntityManager,
  provider: PaymentProvider,
  payment: PaymentRow,
  from: PaymentStatus,
  providerChargeId: string,
  origin: EventOrigin,
): Promise<boolean> {
  if (!isRequested(payment)) throw new Error(`payment ${payment.id} was charged but has no amount`);
  const { providerRefundId } = await provider.refund({ idempotencyKey: payment.orderId, providerChargeId, amount: payment.amount });
  const { id: paymentId, orderId } = payment;
  return em.transactional(async (tx) => {
    const moved = await movePayment(tx, paymentId, from, { status: 'REFUNDED', providerChargeId, providerRefundId });
    if (moved) recordEvent(tx, paymentRefunded.create(paymentId, { orderId, paymentId, amount: amountOf(payment) }, origin));
    return moved !== null;
  });
}

/** Records that the order was cancelled before any payment; false if a payment appeared meanwhile. */
async function recordTombstone(em: EntityManager, order: CancelledOrder): Promise<boolean> {
  const now = new Date();
  try {
    await em.insert(Payment, {
      id: newEventId(),
      orderId: order.orderId,
      customerId: order.customerId,
      amount: null,
      currency: null,
      status: 'VOIDED',
      providerChargeId: null,
      declineReason: null,
      providerRefundId: null,
      createdAt: now,
      updatedAt: now,
    });
    return true;
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return false;
    throw err;
  }
}

async function settled(em: EntityManager, payment: PaymentRow): Promise<PaymentRow> {
  return (await findPaymentOfOrder(em, payment.orderId))!;
}
