import type { cancellationReasons } from '@ficus/events';

export type CancellationReason = (typeof cancellationReasons)[number];

/** What the customer is told about each reason; a new reason fails to compile until it has words here. */
const cancellationWording: Record<CancellationReason, string> = {
  OUT_OF_STOCK: 'was cancelled: some items are out of stock.',
  PAYMENT_DECLINED: 'was cancelled: payment declined.',
  PAYMENT_TIMEOUT: 'was cancelled: the payment did not go through in time.',
  CUSTOMER_CANCELLED: 'was cancelled, as you asked.',
};

/**
 * How an order is named to its customer: the last 8 characters of its id. Order ids are
 * UUIDv7, whose leading characters are a timestamp shared by orders placed moments apart;
 * the tail is random, so it tells them apart.
 */
export function orderReference(orderId: string): string {
  return orderId.replace(/-/g, '').slice(-8);
}

export function confirmedMessage(orderId: string): string {
  return `Your order ${orderReference(orderId)} is confirmed.`;
}

export function cancelledMessage(orderId: string, reason: CancellationReason): string {
  return `Your order ${orderReference(orderId)} ${cancellationWording[reason]}`;
}
