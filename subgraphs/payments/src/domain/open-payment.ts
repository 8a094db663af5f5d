import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { newEventId } from '@ficus/events';
import { findPaymentOfOrder } from './find-payments';
import { Money, Payment, PaymentRow } from './payment';

export interface PaymentRequest {
  orderId: string;
  customerId: string;
  amount: Money;
}

/**
 * The order's payment, recorded PENDING (committed on its own) before any provider is
 * called, so that a crash after the charge leaves a trace that a redelivery resumes from.
 * The unique `orderId` makes this safe to repeat and to race: the loser reads the winner's row.
 * A tombstone left by an earlier cancellation gets the amount, and stays VOIDED.
 */
export async function openPayment(em: EntityManager, request: PaymentRequest): Promise<PaymentRow> {
  const { orderId, customerId, amount } = request;
  const existing = await findPaymentOfOrder(em, orderId);
  if (existing) {
    if (existing.amount !== null) return existing;
    await em.nativeUpdate(Payment, { id: existing.id, amount: null }, { amount: amount.amount, currency: amount.currency, updatedAt: new Date() });
    return (await findPaymentOfOrder(em, orderId))!;
  }
  const now = new Date();
  const payment: PaymentRow = {
    // UUIDv7, as every id in Ficus: unique and sortable by creation time.
    id: newEventId(),
    orderId,
    customerId,
    amount: amount.amount,
    currency: amount.currency,
    status: 'PENDING',
    providerChargeId: null,
    declineReason: null,
    providerRefundId: null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await em.insert(Payment, payment);
    return payment;
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    return openPayment(em, request);
  }
}
