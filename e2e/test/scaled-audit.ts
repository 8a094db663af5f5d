import { Client } from 'pg';
import { providerLedger } from './saga-helpers';

/** An order a client set out to place: its key, and the order id it was answered with (if any). */
export interface OrderIntent {
  customerId: string;
  idempotencyKey: string;
  paymentToken: 'tok_visa' | 'tok_declined' | 'tok_timeout';
  orderId?: string;
}

/** A product with the stock it was given, for the inventory's books. */
export interface StockedProduct {
  id: string;
  stock: number;
}

/** What the books of every service say about the orders of a run, read from their databases. */
export interface Audit {
  intents: number;
  /** Intents the clients never got an order id for, however often they retried. */
  unplaced: number;
  /** Orders in the orders database beyond one per intent (a retry that placed a second order). */
  extraOrders: number;
  confirmed: number;
  cancelled: number;
  /** Cancelled orders by reason. */
  reasons: Record<string, number>;
  /** Orders still PENDING. */
  unsettled: number;
  /** Cancelled orders without a reason. */
  cancelledWithoutReason: number;
  /** Orders whose outcome its payment token does not allow (a good card timed out, a declined card confirmed). */
  unexpectedOutcomes: number;
  /** Intents with more than one charge kept (not refunded) at the provider. */
  chargedTwice: number;
  /** Confirmed orders without exactly one kept charge, and cancelled ones with any. */
  moneyWrong: number;
  /** Provider charges asked for more than once with the same key (retries the provider absorbed). */
  repeatedChargeRequests: number;
  /** Units sold beyond a product's stock. */
  oversoldUnits: number;
  /** Products whose available + reserved + sold is not the stock they were given. */
  unbalancedProducts: number;
  /** Products whose sold units differ from the units of their confirmed orders. */
  soldNotConfirmed: number;
  /** Reservation lines and order holds still RESERVED. */
  heldReservations: number;
  /** Settled orders whose customer has no notification of the outcome. */
  notificationsMissing: number;
  /** Orders with more than one notification. */
  notificationsDuplicated: number;
}

const allowed: Record<OrderIntent['paymentToken'], string[]> = {
  tok_visa: ['CONFIRMED', 'OUT_OF_STOCK'],
  tok_declined: ['PAYMENT_DECLINED', 'OUT_OF_STOCK'],
  tok_timeout: ['PAYMENT_TIMEOUT', 'OUT_OF_STOCK'],
};

export async function auditOrders(
  databaseUrls: Record<string, string>,
  intents: OrderIntent[],
  products: StockedProduct[],
): Promise<Audit> {
  const customers = [...new Set(intents.map((i) => i.customerId))];
  const orders = await rows<{ id: string; customer_id: string; idempotency_key: string; status: string; cancellation_reason: string | null }>(
    databaseUrls.orders!,
    'SELECT id, customer_id, idempotency_key, status, cancellation_reason FROM orders WHERE customer_id = ANY($1)',
    [customers],
  );
  const items = await rows<{ order_id: string; product_id: string; quantity: number }>(
    databaseUrls.orders!,
    'SELECT i.order_id, i.product_id, i.quantity FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.customer_id = ANY($1)',
    [customers],
  );
  const ledger = await providerLedger(databaseUrls.payments!);
  const [{ repeated }] = await rows<{ repeated: string }>(
    databaseUrls.payments!,
    'SELECT count(*) AS repeated FROM test_provider_charges WHERE charge_requests > 1',
  );
  const stock = await rows<{ product_id: string; available: number; reserved: number }>(
    databaseUrls.inventory!,
    'SELECT product_id, available, reserved FROM stock_levels WHERE product_id = ANY($1)',
    [products.map((p) => p.id)],
  );
  const sold = await rows<{ product_id: string; units: string }>(
    databaseUrls.inventory!,
    "SELECT product_id, sum(quantity) AS units FROM reservations WHERE status = 'SOLD' GROUP BY product_id",
  );
  const [{ held }] = await rows<{ held: string }>(
    databaseUrls.inventory!,
    "SELECT (SELECT count(*) FROM reservations WHERE status = 'RESERVED') + (SELECT count(*) FROM order_holds WHERE status = 'RESERVED') AS held",
  );
  const notifications = await rows<{ order_id: string; kind: string }>(databaseUrls.notifications!, 'SELECT order_id, kind FROM notifications');

  const orderOf = new Map(orders.map((o) => [`${o.customer_id}\n${o.idempotency_key}`, o]));
  const tokenOf = new Map(intents.map((i) => [`${i.customerId}\n${i.idempotencyKey}`, i.paymentToken]));
  const ours = orders.filter((o) => tokenOf.has(`${o.customer_id}\n${o.idempotency_key}`));
  const reasons: Record<string, number> = {};
  for (const o of ours) if (o.status === 'CANCELLED') reasons[o.cancellation_reason ?? 'none'] = (reasons[o.cancellation_reason ?? 'none'] ?? 0) + 1;
  const outcome = (o: (typeof orders)[number]) => (o.status === 'CANCELLED' ? o.cancellation_reason : o.status);

  // Kept charges per intent: every order placed under the intent's key counts, so a retry that
  // had placed a second order would show here as a second charge.
  const keptPerIntent = new Map<string, number>();
  for (const o of orders) {
    const key = `${o.customer_id}\n${o.idempotency_key}`;
    keptPerIntent.set(key, (keptPerIntent.get(key) ?? 0) + (ledger.get(o.id)?.kept ?? 0));
  }
  const confirmedUnits = new Map<string, number>();
  const confirmedIds = new Set(ours.filter((o) => o.status === 'CONFIRMED').map((o) => o.id));
  for (const item of items) {
    if (confirmedIds.has(item.order_id)) confirmedUnits.set(item.product_id, (confirmedUnits.get(item.product_id) ?? 0) + item.quantity);
  }
  const soldOf = new Map(sold.map((s) => [s.product_id, Number(s.units)]));
  const stockOf = new Map(stock.map((s) => [s.product_id, s]));
  const notified = new Map<string, string[]>();
  for (const n of notifications) notified.set(n.order_id, [...(notified.get(n.order_id) ?? []), n.kind]);
  const settled = ours.filter((o) => o.status !== 'PENDING');

  return {
    intents: intents.length,
    unplaced: intents.filter((i) => !i.orderId || !orderOf.has(`${i.customerId}\n${i.idempotencyKey}`)).length,
    extraOrders: orders.length - new Set(orders.map((o) => `${o.customer_id}\n${o.idempotency_key}`)).size,
    confirmed: ours.filter((o) => o.status === 'CONFIRMED').length,
    cancelled: ours.filter((o) => o.status === 'CANCELLED').length,
    reasons,
    unsettled: ours.filter((o) => o.status === 'PENDING').length,
    cancelledWithoutReason: ours.filter((o) => o.status === 'CANCELLED' && !o.cancellation_reason).length,
    unexpectedOutcomes: settled.filter((o) => !allowed[tokenOf.get(`${o.customer_id}\n${o.idempotency_key}`)!].includes(outcome(o)!)).length,
    chargedTwice: [...keptPerIntent.values()].filter((kept) => kept > 1).length,
    moneyWrong: settled.filter((o) => (ledger.get(o.id)?.kept ?? 0) !== (o.status === 'CONFIRMED' ? 1 : 0)).length,
    repeatedChargeRequests: Number(repeated),
    oversoldUnits: products.reduce((sum, p) => sum + Math.max(0, (soldOf.get(p.id) ?? 0) - p.stock), 0),
    unbalancedProducts: products.filter((p) => {
      const level = stockOf.get(p.id);
      return !level || level.available + level.reserved + (soldOf.get(p.id) ?? 0) !== p.stock;
    }).length,
    soldNotConfirmed: products.filter((p) => (soldOf.get(p.id) ?? 0) !== (confirmedUnits.get(p.id) ?? 0)).length,
    heldReservations: Number(held),
    notificationsMissing: settled.filter((o) => !notified.get(o.id)?.includes(o.status === 'CONFIRMED' ? 'ORDER_CONFIRMED' : 'ORDER_CANCELLED')).length,
    notificationsDuplicated: ours.filter((o) => (notified.get(o.id)?.length ?? 0) > 1).length,
  };
}

async function rows<T>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
