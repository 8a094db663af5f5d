import type { EntityManager } from '@mikro-orm/core';
import { isRequested, Payment, PaymentRow, RequestedPayment } from './payment';

/**
 * Payments by id in one query, in the order asked. A tombstone (the order was cancelled
 * before payments was asked to charge it) is `null`: there is no payment to show yet.
 */
export async function findPaymentsByIds(em: EntityManager, ids: readonly string[]): Promise<(RequestedPayment | null)[]> {
  const rows = await em.find(Payment, { id: { $in: [...ids] } });
  return inOrderAsked(ids, rows, (row) => row.id);
}

/** The payments of these orders in one query, in the order asked, `null` where an order has none to show. */
export async function findPaymentsByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<(RequestedPayment | null)[]> {
  const rows = await em.find(Payment, { orderId: { $in: [...orderIds] } });
  return inOrderAsked(orderIds, rows, (row) => row.orderId);
}

/** The order's payment as it is in the database now, tombstones included. */
export function findPaymentOfOrder(em: EntityManager, orderId: string): Promise<PaymentRow | null> {
  // `refresh`: the caller's unit of work may hold the row as it was before another writer moved it on.
  return em.findOne(Payment, { orderId }, { refresh: true });
}

function inOrderAsked(keys: readonly string[], rows: PaymentRow[], keyOf: (row: PaymentRow) => string): (RequestedPayment | null)[] {
  const byKey = new Map(rows.filter(isRequested).map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}
