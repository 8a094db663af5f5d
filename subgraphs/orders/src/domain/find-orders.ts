import type { EntityManager } from '@mikro-orm/core';
import { Identity, requireIdentity } from '@ficus/kit';
import { requireCustomerOrAdmin } from './access';
import { Order, OrderRow } from './order';
import { OrderItem, OrderItemRow } from './order-item';

/** Loads orders by id; a per-request DataLoader satisfies it. */
export interface OrderFinder {
  load(id: string): Promise<OrderRow | null>;
}

/** Orders by id in one query, in the order asked, `null` where none exists. */
export async function findOrdersByIds(em: EntityManager, ids: readonly string[]): Promise<(OrderRow | null)[]> {
  const rows = await em.find(Order, { id: { $in: [...ids] } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** The items of several orders in one query, each order's in the order the customer listed them. */
export async function findItemsByOrderIds(em: EntityManager, orderIds: readonly string[]): Promise<OrderItemRow[][]> {
  const rows = await em.find(OrderItem, { orderId: { $in: [...orderIds] } }, { orderBy: { orderId: 'asc', position: 'asc' } });
  const byOrderId = new Map<string, OrderItemRow[]>();
  for (const row of rows) byOrderId.set(row.orderId, [...(byOrderId.get(row.orderId) ?? []), row]);
  return orderIds.map((id) => byOrderId.get(id) ?? []);
}

/** An order as its customer or an admin sees it; `null` when there is none. */
export async function findVisibleOrder(orders: OrderFinder, actor: Identity | null, id: string): Promise<OrderRow | null> {
  // Anonymous callers learn nothing, not even whether the order exists.
  const known = requireIdentity(actor);
  const order = await orders.load(id);
  if (!order) return null;
  requireCustomerOrAdmin(known, order.customerId, 'only its customer or an admin may see an order');
  return order;
}
