import { z } from 'zod';
import { defineEvent } from '../contract';
import { money, orderLine } from './money';

export const cancellationReasons = ['OUT_OF_STOCK', 'PAYMENT_DECLINED', 'PAYMENT_TIMEOUT', 'CUSTOMER_CANCELLED'] as const;

/** A customer placed an order: the saga starts. Inventory reserves its items. */
export const orderPlaced = defineEvent({
  type: 'orders.order.placed',
  version: 1,
  schema: z.object({
    orderId: z.string(),
    customerId: z.string(),
    items: z.array(orderLine).min(1),
    total: money,
  }),
});

/** Stock is held for the order: orders asks payments to charge it. */
export const paymentRequested = defineEvent({
  type: 'orders.payment.requested',
  version: 1,
  schema: z.object({
    orderId: z.string(),
    customerId: z.string(),
    amount: money,
    paymentToken: z.string(),
  }),
});

/** Paid and reserved: inventory turns the reservation into a sale; the customer is told. */
export const orderConfirmed = defineEvent({
  type: 'orders.order.confirmed',
  version: 1,
  schema: z.object({
    orderId: z.string(),
    customerId: z.string(),
    total: money,
  }),
});

/** The order will not be fulfilled: inventory releases what it holds, payments refunds or voids. */
export const orderCancelled = defineEvent({
  type: 'orders.order.cancelled',
  version: 1,
  schema: z.object({
    orderId: z.string(),
    customerId: z.string(),
    reason: z.enum(cancellationReasons),
  }),
});
