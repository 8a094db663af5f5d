import { waitFor } from '@ficus/testkit';
import { placeOrder, providerLedger, settledOrder, Shopper, signUpShopper, stockedProduct } from './saga-helpers';
import { devAdmin, startTestStack, TestStack } from './stack-harness';

interface Outcome {
  placed: number;
  confirmed: number;
  cancelled: number;
  chargedTwice: number;
  stuckReserved: number;
}

describe('the order saga under faults, with real processes', () => {
  let t: TestStack;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestStack('faults', { PAYMENT_TIMEOUT_MS: '30000', SAGA_SWEEP_INTERVAL_MS: '250' });
    adminToken = await t.signIn(devAdmin.email, devAdmin.password);
  });

  afterAll(async () => {
    await t?.dispose();
  });

  /** Places `count` one-unit orders at once, spread over the products and shoppers. */
  const placeMany = async (count: number, productIds: string[], shoppers: Shopper[]) =>
    Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const shopper = shoppers[i % shoppers.length]!;
        const res = await placeOrder(t, shopper, [{ productId: productIds[i % productIds.length]!, quantity: 1 }], 'tok_visa');
        if (!res.data?.placeOrder) throw new Error(`placeOrder failed: ${JSON.stringify(res.errors)}`);
        return { id: res.data.placeOrder.id as string, shopper };
      }),
    );

  /** Waits for every order to settle and checks the books: money, stock and the provider's ledger. */
  const audit = async (orders: { id: string; shopper: Shopper }[], productIds: string[]): Promise<Outcome> => {
    const settled = await Promise.all(orders.map((o) => settledOrder(t, o.shopper.token, o.id, 90_000)));
    // Compensation (release, refund) runs after the order is cancelled: wait for it to finish too.
    await waitFor(
      async () => {
        for (const productId of productIds) {
          const res = await t.request('query($id: ID!) { product(id: $id) { stock { reserved } } }', { id: productId });
          if (res.data.product.stock.reserved !== 0) return false;
        }
        return true;
      },
      { timeoutMs: 30_000, what: 'every reservation to be sold or released' },
    );
    const ledger = await providerLedger(t.databaseUrls.payments!);
    let chargedTwice = 0;
    for (const order of settled) {
      const charges = ledger.get(order.id) ?? { charges: 0, kept: 0 };
      if (charges.charges > 1) chargedTwice += 1;
      // A confirmed order keeps exactly one charge; a cancelled one keeps none.
      expect({ order: order.id, kept: charges.kept }).toEqual({ order: order.id, kept: order.status === 'CONFIRMED' ? 1 : 0 });
    }
    return {
      placed: orders.length,
      confirmed: settled.filter((o) => o.status === 'CONFIRMED').length,
      cancelled: settled.filter((o) => o.status === 'CANCELLED').length,
      chargedTwice,
      stuckReserved: 0,
    };
  };

  it('settles every order, charges none twice and leaves nothing reserved when payments is killed mid-flight', async () => {
    const productIds = [await stockedProduct(t, adminToken, 'FAULT-A', 100), await stockedProduct(t, adminToken, 'FAULT-B', 100)];
    const shoppers = [await signUpShopper(t, 'kill-1'), await signUpShopper(t, 'kill-2')];
    const orders = await placeMany(20, productIds, shoppers);
    await t.stack.crash('payments');
    const more = await placeMany(10, productIds, shoppers);
    await t.stack.restart('payments');

    const outcome = await audit([...orders, ...more], productIds);
    process.stdout.write(`payments killed mid-flight: ${JSON.stringify(outcome)}\n`);
    // The killed process's unacknowledged events come back after the consumers' 5 s ack wait,
    // well inside the 30 s payment timeout: no order should pay for the crash.
    expect(outcome).toEqual({ placed: 30, confirmed: 30, cancelled: 0, chargedTwice: 0, stuckReserved: 0 });
  });

  it('keeps committing orders while NATS is down and completes every saga once it is back', async () => {
    const productIds = [await stockedProduct(t, adminToken, 'FAULT-C', 50)];
    const shoppers = [await signUpShopper(t, 'outage')];
    await t.nats.stop();
    const orders = await placeMany(10, productIds, shoppers);
    await t.nats.start();

    const outcome = await audit(orders, productIds);
    process.stdout.write(`NATS stopped and restarted: ${JSON.stringify(outcome)}\n`);
    expect(outcome).toEqual({ placed: 10, confirmed: 10, cancelled: 0, chargedTwice: 0, stuckReserved: 0 });
  });
});
