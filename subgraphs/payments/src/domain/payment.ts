import { EntitySchema } from '@mikro-orm/core';

export const paymentStatuses = ['PENDING', 'SUCCEEDED', 'DECLINED', 'REFUNDED', 'VOIDED'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/**
 * The one payment of an order (`orderId` is unique). Amounts are in minor units.
 * A VOIDED row with no amount is a tombstone: the order was cancelled before payments
 * was asked to charge it, so a later request charges nothing.
 */
export interface PaymentRow {
  id: string;
  orderId: string;
  customerId: string;
  amount: number | null;
  currency: string | null;
  status: PaymentStatus;
  providerChargeId: string | null;
  declineReason: string | null;
  providerRefundId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const Payment = new EntitySchema<PaymentRow>({
  name: 'Payment',
  tableName: 'payments',
  properties: {
    id: { type: 'string', primary: true },
    orderId: { type: 'string', unique: true },
    customerId: { type: 'string' },
    amount: { type: 'integer', nullable: true },
    currency: { type: 'string', nullable: true },
    status: { type: 'string' },
    providerChargeId: { type: 'string', nullable: true },
    declineReason: { type: 'string', nullable: true },
    providerRefundId: { type: 'string', nullable: true },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
  },
});

/** A payment that payments was asked to charge, so its amount is known. */
export type RequestedPayment = PaymentRow & { amount: number; currency: string };

export function isRequested(payment: PaymentRow): payment is RequestedPayment {
  return payment.amount !== null && payment.currency !== null;
}

export interface Money {
  amount: number;
  currency: string;
}

export function amountOf(payment: RequestedPayment): Money {
  return { amount: payment.amount, currency: payment.currency };
}
