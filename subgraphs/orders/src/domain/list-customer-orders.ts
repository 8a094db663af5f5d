import type { EntityManager } from '@mikro-orm/core';
import { decodeCursor, encodeCursor, Identity, pageSize } from '@ficus/kit';
import { requireCustomerOrAdmin } from './access';
import { Order, OrderRow } from './order';

/** One page of one customer's orders, checked and decoded. */
export interface OrderPageRequest {
  customerId: string;
  first: number;
  /** The id of the last order of the previous page. */
  afterId: string | null;
}

export interface OrderPage {
  edges: { cursor: string; node: OrderRow }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** A customer's orders are listed for that customer and for admins only, a bounded page at a time. */
export function orderPageRequest(
  actor: Identity | null,
  customerId: string,
  args: { first?: number | null; after?: string | null },
): OrderPageRequest {
  requireCustomerOrAdmin(actor, customerId, "only that user or an admin may see a user's orders");
  return { customerId, first: pageSize(args.first), afterId: args.after ? decodeCursor(args.after) : null };
}

export function orderPageKey(request: OrderPageRequest): string {
  return [request.customerId, request.first, request.afterId ?? ''].join('\n');
}

/**
 * Pages of several customers' orders, newest first (ids are time-ordered). A window
 * function cuts each customer's page in one query per page shape (one, when the gateway
 * asks for `orders(first:)` on many users), and one more query counts them all.
 */
export async function findOrderPages(em: EntityManager, requests: readonly OrderPageRequest[]): Promise<OrderPage[]> {
  const shapes = new Map<string, { first: number; afterId: string | null; customerIds: Set<string> }>();
  for (const { customerId, first, afterId } of requests) {
    const key = `${first}\n${afterId ?? ''}`;
    const shape = shapes.get(key) ?? { first, afterId, customerIds: new Set<string>() };
    shape.customerIds.add(customerId);
    shapes.set(key, shape);
  }
  const [totals, ...pages] = await Promise.all([
    countOrders(em, [...new Set(requests.map((r) => r.customerId))]),
    ...[...shapes.values()].map((shape) => firstOrders(em, [...shape.customerIds], shape.first + 1, shape.afterId)),
  ]);
  const rowsByShape = new Map([...shapes.keys()].map((key, index) => [key, pages[index]!]));
  return requests.map(({ customerId, first, afterId }) => {
    const rows = rowsByShape.get(`${first}\n${afterId ?? ''}`)!.get(customerId) ?? [];
    const edges = rows.slice(0, first).map((node) => ({ cursor: encodeCursor(node.id), node }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: totals.get(customerId) ?? 0,
    };
  });
}

/** Up to `limit` orders of each customer, newest first, older than `afterId` when given. */
async function firstOrders(
  em: EntityManager,
  customerIds: string[],
  limit: number,
  afterId: string | null,
): Promise<Map<string, OrderRow[]>> {
  const rows: Record<string, unknown>[] = await em.getConnection().execute(
    `select * from (
       select orders.*, row_number() over (partition by customer_id order by id desc) as page_row
       from orders where customer_id in (${placeholders(customerIds)})${afterId === null ? '' : ' and id < ?'}
     ) ranked where page_row <= ? order by customer_id, id desc`,
    [...customerIds, ...(afterId === null ? [] : [afterId]), limit],
  );
  const byCustomer = new Map<string, OrderRow[]>();
  for (const { page_row: _rank, ...row } of rows) {
    const order = em.map(Order, row);
    byCustomer.set(order.customerId, [...(byCustomer.get(order.customerId) ?? []), order]);
  }
  return byCustomer;
}

async function countOrders(em: EntityManager, customerIds: string[]): Promise<Map<string, number>> {
  const rows: { customer_id: string; total: number | string }[] = await em.getConnection().execute(
    `select customer_id, count(*) as total from orders where customer_id in (${placeholders(customerIds)}) group by customer_id`,
    customerIds,
  );
  // PostgreSQL's count is a bigint, which arrives as a string.
  return new Map(rows.map((row) => [row.customer_id, Number(row.total)]));
}

function placeholders(values: unknown[]): string {
  return values.map(() => '?').join(', ');
}
