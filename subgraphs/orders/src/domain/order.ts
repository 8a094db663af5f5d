import { EntitySchema } from '@mikro-orm/core';
import type { cancellationReasons } from '@ficus/events';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';
export type CancellationReason = (typeof cancellationReasons)[number];

/** Where the saga stands for a PENDING order; DONE once the order is CONFIRMED or CANCELLED. */
export type SagaStep = 'AWAITING_STOCK' | 'AWAITING_PAYMENT' | 'DONE';

/** An order and the state of its saga. `customerId` is users' id; no key crosses databases. */
export interface OrderRow {
  id: string;
  customerId: string;
  status: OrderStatus;
  cancellationReason: CancellationReason | null;
  totalAmount: number;
  totalCurrency: string;
  /** Kept until payments is asked to charge it. */
  paymentToken: string;
  /** Chosen by the client; unique per customer, so a retried placement finds its order. */
  idempotencyKey: string;
  sagaStep: SagaStep;
  /** Set when payment is requested; persisted so a restarted service still times the payment out. */
  paymentDeadline: Date | null;
  /** The placing request's correlation id, carried by the events the saga causes without an event to follow. */
  correlationId: string;
  createdAt: Date;
  updatedAt: Date;
}

export const Order = new EntitySchema<OrderRow>({
  name: 'Order',
  tableName: 'orders',
  properties: {
    id: { type: 'string', primary: true },
    customerId: { type: 'string' },
    status: { type: 'string' },
    cancellationReason: { type: 'string', nullable: true },
    totalAmount: { type: 'integer' },
    totalCurrency: { type: 'string' },
    paymentToken: { type: 'string', hidden: true },
    idempotencyKey: { type: 'string' },
    sagaStep: { type: 'string' },
    paymentDeadline: { type: 'datetime', nullable: true },
    correlationId: { type: 'string' },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime' },
  },
});

/**
 * The largest amount an order can total: Money.amount is a GraphQL Int and the columns
 * are 32-bit on PostgreSQL. Checked in the domain so SQLite refuses the same orders.
 */
export const MAX_AMOUNT = 2_147_483_647;

export function totalOf(order: OrderRow) {
  return { amount: order.totalAmount, currency: order.totalCurrency };
}
