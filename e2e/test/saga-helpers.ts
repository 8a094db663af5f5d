import { waitFor } from '@ficus/testkit';
import { Client } from 'pg';
import { TestStack } from './stack-harness';

export interface Shopper {
  id: string;
  token: string;
}

let shoppers = 0;

export async function signUpShopper(t: Pick<TestStack, 'send'>, label: string): Promise<Shopper> {
  shoppers += 1;
  const res = await t.send('SignUp', {
    input: { email: `${label}-${shoppers}-${Date.now()}@example.com`, name: `Shopper ${label}`, password: 'password123' },
  });
  if (!res.data?.signUp) throw new Error(`sign-up failed: ${JSON.stringify(res.errors)}`);
  return { id: res.data.signUp.user.id, token: res.data.signUp.token };
}

/**
 * Creates a product with `stock` units (at least 1) and waits until inventory keeps its own
 * stock row: the last unit is added by a restock, which succeeds only once inventory has
 * heard of the product.
 */
export async function stockedProduct(t: Pick<TestStack, 'send'>, adminToken: string, sku: string, stock: number, price = 1000): Promise<string> {
  const created = await t.send('CreateProduct', { input: { sku, name: `Product ${sku}`, price, initialStock: stock - 1 } }, adminToken);
  if (!created.data?.createProduct) throw new Error(`createProduct failed: ${JSON.stringify(created.errors)}`);
  const productId = created.data.createProduct.id as string;
  await waitFor(
    async () => !(await t.send('Restock', { productId, quantity: 1 }, adminToken)).errors,
    { what: `inventory to hear of ${sku}` },
  );
  return productId;
}

export const ORDER_STATE = /* GraphQL */ `
  query OrderState($id: ID!) {
    order(id: $id) {
      id
      status
      cancellationReason
      total { amount currency }
      payment { status amount { amount } }
      items { quantity product { id stock { available reserved } } }
    }
  }
`;

/**
 * Sends the PlaceOrder operation. Orders learns of new products from events, so an order for
 * a product created a moment ago is retried while orders has not heard of it yet.
 */
export async function placeOrder(
  t: TestStack,
  shopper: Shopper,
  items: { productId: string; quantity: number }[],
  paymentToken: string,
  idempotencyKey = `key-${Math.random().toString(36).slice(2)}`,
) {
  return waitFor(
    async () => {
      const res = await t.send('PlaceOrder', { input: { items, paymentToken, idempotencyKey } }, shopper.token);
      const unknownProduct = res.errors?.some((e) => /unknown product/i.test(e.message));
      return unknownProduct ? null : res;
    },
    { what: 'orders to hear of the products' },
  );
}

/** Waits until the order leaves PENDING (and, if asked, until its payment shows `paymentStatus`). */
export async function settledOrder(t: TestStack, token: string, orderId: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const res = await t.request(ORDER_STATE, { id: orderId }, token);
      const order = res.data?.order;
      return order && order.status !== 'PENDING' ? order : null;
    },
    { timeoutMs, intervalMs: 100, what: `order ${orderId} to be confirmed or cancelled` },
  );
}

/** The test provider's own ledger in the payments database: charges per order, and those not refunded or voided. */
export async function providerLedger(databaseUrl: string): Promise<Map<string, { charges: number; kept: number }>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ order_id: string; charges: string; kept: string }>(LEDGER_SQL);
    return new Map(rows.map((r) => [r.order_id, { charges: Number(r.charges), kept: Number(r.kept) }]));
  } finally {
    await client.end();
  }
}

const LEDGER_SQL = `
  SELECT idempotency_key AS order_id,
         count(*) AS charges,
         count(*) FILTER (WHERE status = 'succeeded' AND NOT refunded) AS kept
    FROM test_provider_charges
   GROUP BY idempotency_key`;

/** How many events of `eventType` a service has handled (not skipped or retried), from its `/metrics`. */
export async function handledEvents(t: TestStack, service: string, eventType: string): Promise<number> {
  const text = await (await fetch(t.stack.urls[service]!.replace('/graphql', '/metrics'))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('ficus_event_deliveries_total{') && line.includes(`"${eventType}"`) && line.includes('outcome="handled"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
