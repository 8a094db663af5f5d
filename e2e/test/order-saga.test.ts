import { errorCodes, waitFor } from '@ficus/testkit';
import { placeOrder, settledOrder, signUpShopper, stockedProduct } from './saga-helpers';
import { devAdmin, startTestStack, TestStack } from './stack-harness';

const stockOf = async (t: TestStack, productId: string) =>
  (await t.request('query($id: ID!) { product(id: $id) { stock { available reserved } } }', { id: productId })).data.product.stock;

/**
 * The stock once no reservation is held. Inventory turns a reservation into a sale when it
 * handles orders.order.confirmed, which may be after the order already reads CONFIRMED.
 */
const settledStockOf = (t: TestStack, productId: string) =>
  waitFor(
    async () => {
      const stock = await stockOf(t, productId);
      return stock.reserved === 0 ? stock : null;
    },
    { what: 'no reservation to be held' },
  );

describe('the order saga across six subgraphs, through the gateway', () => {
  let t: TestStack;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestStack('saga', { PAYMENT_TIMEOUT_MS: '2000', SAGA_SWEEP_INTERVAL_MS: '200' });
    adminToken = await t.signIn(devAdmin.email, devAdmin.password);
  });

  afterAll(async () => {
    await t?.dispose();
  });

  it('confirms a paid order, turns the reservation into a sale and tells the customer (PlaceOrder, MyOrders)', async () => {
    const shopper = await signUpShopper(t, 'happy');
    const productId = await stockedProduct(t, adminToken, 'SAGA-OK', 10, 1500);
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 2 }], 'tok_visa');
    expect(placed.errors).toBeUndefined();
    expect(placed.data.placeOrder).toMatchObject({ status: 'PENDING', total: { amount: 3000, currency: 'USD' } });
    expect(placed.data.placeOrder.items).toEqual([{ quantity: 2, product: { name: 'Product SAGA-OK' } }]);

    const order = await settledOrder(t, shopper.token, placed.data.placeOrder.id);
    expect(order).toMatchObject({ status: 'CONFIRMED', cancellationReason: null, payment: { status: 'SUCCEEDED', amount: { amount: 3000 } } });
    expect(await settledStockOf(t, productId)).toEqual({ available: 8, reserved: 0 });

    const mine = await waitFor(
      async () => {
        const res = await t.send('MyOrders', {}, shopper.token);
        return res.data?.me?.notifications?.length ? res : null;
      },
      { what: 'the confirmation notification' },
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data.me.orders.totalCount).toBe(1);
    expect(mine.data.me.orders.edges[0].node).toMatchObject({ status: 'CONFIRMED', payment: { status: 'SUCCEEDED' } });
    expect(mine.data.me.notifications[0]).toMatchObject({ kind: 'ORDER_CONFIRMED', order: { id: placed.data.placeOrder.id, status: 'CONFIRMED' } });
  });

  it('cancels a declined order with PAYMENT_DECLINED and releases its stock', async () => {
    const shopper = await signUpShopper(t, 'declined');
    const productId = await stockedProduct(t, adminToken, 'SAGA-DECLINED', 5);
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 3 }], 'tok_declined');
    const order = await settledOrder(t, shopper.token, placed.data.placeOrder.id);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED', payment: { status: 'DECLINED' } });
    await waitFor(async () => (await stockOf(t, productId)).reserved === 0, { what: 'the reservation to be released' });
    expect(await stockOf(t, productId)).toEqual({ available: 5, reserved: 0 });
  });

  it('times out a payment that never answers, cancels with PAYMENT_TIMEOUT and voids the charge', async () => {
    const shopper = await signUpShopper(t, 'timeout');
    const productId = await stockedProduct(t, adminToken, 'SAGA-TIMEOUT', 4);
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_timeout');
    const order = await settledOrder(t, shopper.token, placed.data.placeOrder.id);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    await waitFor(
      async () => {
        const res = await t.request('query($id: ID!) { order(id: $id) { payment { status } } }', { id: order.id }, shopper.token);
        return res.data.order.payment?.status === 'VOIDED';
      },
      { what: 'the pending charge to be voided' },
    );
    await waitFor(async () => (await stockOf(t, productId)).reserved === 0, { what: 'the reservation to be released' });
    expect(await stockOf(t, productId)).toEqual({ available: 4, reserved: 0 });
  });

  it('cancels an order it cannot fill with OUT_OF_STOCK and reserves nothing', async () => {
    const shopper = await signUpShopper(t, 'short');
    const plenty = await stockedProduct(t, adminToken, 'SAGA-PLENTY', 10);
    const scarce = await stockedProduct(t, adminToken, 'SAGA-SCARCE', 1);
    const placed = await placeOrder(t, shopper, [{ productId: plenty, quantity: 1 }, { productId: scarce, quantity: 2 }], 'tok_visa');
    const order = await settledOrder(t, shopper.token, placed.data.placeOrder.id);
    expect(order).toMatchObject({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK', payment: null });
    expect(await stockOf(t, plenty)).toEqual({ available: 10, reserved: 0 });
    expect(await stockOf(t, scarce)).toEqual({ available: 1, reserved: 0 });
  });

  it('returns the same order for the same idempotency key and charges once', async () => {
    const shopper = await signUpShopper(t, 'retry');
    const productId = await stockedProduct(t, adminToken, 'SAGA-RETRY', 10);
    const first = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_visa', 'checkout-42');
    const again = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_visa', 'checkout-42');
    expect(again.data.placeOrder.id).toBe(first.data.placeOrder.id);
    await settledOrder(t, shopper.token, first.data.placeOrder.id);
    const mine = await t.send('MyOrders', {}, shopper.token);
    expect(mine.data.me.orders.totalCount).toBe(1);
    expect(await settledStockOf(t, productId)).toEqual({ available: 9, reserved: 0 });
  });

  it('lets a customer cancel a pending order (cancelOrder) and refuses anyone else', async () => {
    const shopper = await signUpShopper(t, 'cancel');
    const stranger = await signUpShopper(t, 'stranger');
    const productId = await stockedProduct(t, adminToken, 'SAGA-CANCEL', 3);
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_timeout');
    const id = placed.data.placeOrder.id;
    const cancel = 'mutation($id: ID!) { cancelOrder(id: $id) { id status cancellationReason } }';
    expect(errorCodes(await t.request(cancel, { id }, stranger.token))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await t.request('query($id: ID!) { order(id: $id) { id } }', { id }, stranger.token))).toEqual(['FORBIDDEN']);
    const cancelled = await t.request(cancel, { id }, shopper.token);
    expect(cancelled.data.cancelOrder).toEqual({ id, status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });
    await waitFor(async () => (await stockOf(t, productId)).reserved === 0, { what: 'the reservation to be released' });
    expect(await stockOf(t, productId)).toEqual({ available: 3, reserved: 0 });
  });

  it('sells the last unit to exactly one of two customers racing for it', async () => {
    const [ann, bob] = [await signUpShopper(t, 'ann'), await signUpShopper(t, 'bob')];
    const productId = await stockedProduct(t, adminToken, 'SAGA-LAST', 1);
    const placed = await Promise.all([ann, bob].map((s) => placeOrder(t, s, [{ productId, quantity: 1 }], 'tok_visa')));
    const orders = await Promise.all(
      placed.map((res, i) => settledOrder(t, [ann, bob][i]!.token, res.data.placeOrder.id)),
    );
    expect(orders.map((o) => o.status).sort()).toEqual(['CANCELLED', 'CONFIRMED']);
    expect(orders.find((o) => o.status === 'CANCELLED')!.cancellationReason).toBe('OUT_OF_STOCK');
    expect(await settledStockOf(t, productId)).toEqual({ available: 0, reserved: 0 });
  });

  it('refuses bad orders with BAD_USER_INPUT and anonymous ones at the gateway with UNAUTHORIZED_FIELD_OR_TYPE', async () => {
    const shopper = await signUpShopper(t, 'bad');
    const productId = await stockedProduct(t, adminToken, 'SAGA-BAD', 2);
    const send = (items: unknown, token?: string) =>
      t.send('PlaceOrder', { input: { items, paymentToken: 'tok_visa', idempotencyKey: `bad-${Math.random()}` } }, token);
    expect(errorCodes(await send([{ productId, quantity: 0 }], shopper.token))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await send([{ productId: 'no-such-product', quantity: 1 }], shopper.token))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await send([], shopper.token))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await send([{ productId, quantity: 1 }]))).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
  });
});
