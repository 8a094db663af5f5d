import { newEventId, productCreated } from '@ficus/events';
import { OutboxEvent } from '@ficus/kit';
import { errorCodes } from '@ficus/testkit';
import { CatalogProduct } from '../src/domain/catalog-product';
import { Order } from '../src/domain/order';
import { OrderItem } from '../src/domain/order-item';
import { customer, OrdersHarness } from './orders-harness';

describe.each(['sqlite', 'postgres'] as const)('placing orders on %s', (kind) => {
  let orders: OrdersHarness;

  beforeAll(async () => {
    orders = await OrdersHarness.start(kind);
  });

  afterAll(async () => {
    await orders?.stop();
  });

  const rowCounts = async () => {
    const em = orders.subgraph.orm.em.fork();
    return { orders: await em.count(Order, {}), items: await em.count(OrderItem, {}), events: await em.count(OutboxEvent, {}) };
  };

  it('places a PENDING order priced from the catalog and publishes orders.order.placed under its event id', async () => {
    const ann = customer();
    const mug = await orders.knownProduct({ amount: 1250, currency: 'USD' });
    const plate = await orders.knownProduct({ amount: 800, currency: 'USD' });

    const res = await orders.placeOrder(ann, {
      items: [
        { productId: mug, quantity: 2 },
        { productId: plate, quantity: 3 },
      ],
      paymentToken: 'tok_visa',
      idempotencyKey: 'checkout-1',
    });

    expect(res.errors).toBeUndefined();
    const placed = res.data.placeOrder;
    expect(placed).toMatchObject({
      status: 'PENDING',
      cancellationReason: null,
      total: { amount: 4900, currency: 'USD' },
      customer: { id: ann.userId },
      items: [
        { product: { id: mug }, quantity: 2, unitPrice: { amount: 1250, currency: 'USD' } },
        { product: { id: plate }, quantity: 3, unitPrice: { amount: 800, currency: 'USD' } },
      ],
    });
    expect(new Date(placed.createdAt).toISOString()).toBe(placed.createdAt);
    expect(await orders.order(placed.id)).toMatchObject({ sagaStep: 'AWAITING_STOCK', paymentToken: 'tok_visa', paymentDeadline: null });

    const event = await orders.publishedEvent(placed.id, 'orders.order.placed');
    expect(event.msgId).toBe(event.id);
    expect(event.data).toEqual({
      orderId: placed.id,
      customerId: ann.userId,
      items: [
        { productId: mug, quantity: 2, unitPrice: { amount: 1250, currency: 'USD' } },
        { productId: plate, quantity: 3, unitPrice: { amount: 800, currency: 'USD' } },
      ],
      total: { amount: 4900, currency: 'USD' },
    });
  });

  it('returns the same order for a retry with the same idempotency key, and publishes one event', async () => {
    const ann = customer();
    const mug = await orders.knownProduct();
    const input = { items: [{ productId: mug, quantity: 1 }], paymentToken: 'tok_visa', idempotencyKey: 'retry-me' };

    const first = await orders.placeOrder(ann, input);
    const retry = await orders.placeOrder(ann, input);

    expect(retry.errors).toBeUndefined();
    expect(retry.data.placeOrder).toEqual(first.data.placeOrder);
    const orderId = first.data.placeOrder.id;
    expect(await orders.recordedEvents(orderId)).toBe(1);
    await orders.waitUntilRelayed(orderId);
    expect(await orders.publishedEvents(orderId)).toHaveLength(1);
  });

  it('places one order for concurrent identical requests, and answers each with it', async () => {
    const ann = customer();
    const mug = await orders.knownProduct();
    const input = { items: [{ productId: mug, quantity: 1 }], paymentToken: 'tok_visa', idempotencyKey: 'double-click' };

    const results = await Promise.all(Array.from({ length: 5 }, () => orders.placeOrder(ann, input)));

    expect(results.map((res) => res.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const ids = new Set(results.map((res) => res.data.placeOrder.id));
    expect(ids.size).toBe(1);
    expect(await orders.subgraph.orm.em.fork().count(Order, { customerId: ann.userId })).toBe(1);
    expect(await orders.recordedEvents([...ids][0]!)).toBe(1);
  });

  it('refuses the same idempotency key with other items as a CONFLICT', async () => {
    const ann = customer();
    const mug = await orders.knownProduct();

    await orders.placeOrder(ann, { items: [{ productId: mug, quantity: 1 }], paymentToken: 'tok_visa', idempotencyKey: 'k' });
    const before = await rowCounts();
    const res = await orders.placeOrder(ann, { items: [{ productId: mug, quantity: 2 }], paymentToken: 'tok_visa', idempotencyKey: 'k' });

    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(res.errors![0]!.message).toBe('idempotencyKey k was already used for a different order');
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses the same idempotency key with another payment token as a CONFLICT, and charges nothing new', async () => {
    const ann = customer();
    const mug = await orders.knownProduct();
    const items = [{ productId: mug, quantity: 1 }];

    await orders.placeOrder(ann, { items, paymentToken: 'tok_visa', idempotencyKey: 'token-swap' });
    const before = await rowCounts();
    const res = await orders.placeOrder(ann, { items, paymentToken: 'tok_declined', idempotencyKey: 'token-swap' });

    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(res.errors![0]!.message).toBe('idempotencyKey token-swap was already used for a different order');
    expect(JSON.stringify(res.errors)).not.toContain('tok_');
    expect(await rowCounts()).toEqual(before);
  });

  it('keeps idempotency keys apart per customer', async () => {
    const mug = await orders.knownProduct();
    const input = { items: [{ productId: mug, quantity: 1 }], paymentToken: 'tok_visa', idempotencyKey: 'shared-key' };

    const ann = await orders.placeOrder(customer(), input);
    const bob = await orders.placeOrder(customer(), input);

    expect(ann.data.placeOrder.id).not.toBe(bob.data.placeOrder.id);
  });

  it('rejects an unknown product with BAD_USER_INPUT naming it, and writes nothing', async () => {
    const mug = await orders.knownProduct();
    const before = await rowCounts();

    const res = await orders.placeOrder(customer(), {
      items: [
        { productId: mug, quantity: 1 },
        { productId: 'no-such-product', quantity: 1 },
      ],
      paymentToken: 'tok_visa',
      idempotencyKey: newEventId(),
    });

    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toBe('unknown product: no-such-product');
    expect(res.errors![0]!.extensions!.fields).toEqual([{ field: 'items.1.productId', message: 'no product no-such-product' }]);
    expect(await rowCounts()).toEqual(before);
  });

  it.each([
    ['a quantity of 0', (p: string) => ({ items: [{ productId: p, quantity: 0 }] }), 'items.0.quantity'],
    ['a quantity over 1000', (p: string) => ({ items: [{ productId: p, quantity: 1001 }] }), 'items.0.quantity'],
    ['no items', () => ({ items: [] }), 'items'],
    ['51 items', (p: string) => ({ items: Array.from({ length: 51 }, (_, i) => ({ productId: `${p}-${i}`, quantity: 1 })) }), 'items'],
    ['the same product twice', (p: string) => ({ items: [{ productId: p, quantity: 1 }, { productId: p, quantity: 2 }] }), 'items.1.productId'],
    ['an empty product id', () => ({ items: [{ productId: ' ', quantity: 1 }] }), 'items.0.productId'],
    ['an empty payment token', (p: string) => ({ items: [{ productId: p, quantity: 1 }], paymentToken: '' }), 'paymentToken'],
    ['a payment token of 101 characters', (p: string) => ({ items: [{ productId: p, quantity: 1 }], paymentToken: 't'.repeat(101) }), 'paymentToken'],
    ['an empty idempotency key', (p: string) => ({ items: [{ productId: p, quantity: 1 }], idempotencyKey: '' }), 'idempotencyKey'],
    ['an idempotency key of 201 characters', (p: string) => ({ items: [{ productId: p, quantity: 1 }], idempotencyKey: 'k'.repeat(201) }), 'idempotencyKey'],
  ])('rejects %s with BAD_USER_INPUT on that field, and writes nothing', async (_case, shape, field) => {
    const mug = await orders.knownProduct();
    const before = await rowCounts();

    const res = await orders.placeOrder(customer(), { paymentToken: 'tok_visa', idempotencyKey: newEventId(), ...shape(mug) });

    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect((res.errors![0]!.extensions!.fields as { field: string }[]).map((f) => f.field)).toEqual([field]);
    expect(await rowCounts()).toEqual(before);
  });

  it('rejects items priced in different currencies', async () => {
    const mug = await orders.knownProduct({ amount: 1250, currency: 'USD' });
    const tea = await orders.knownProduct({ amount: 900, currency: 'EUR' });
    const before = await rowCounts();

    const res = await orders.placeOrder(customer(), {
      items: [
        { productId: mug, quantity: 1 },
        { productId: tea, quantity: 1 },
      ],
      paymentToken: 'tok_visa',
      idempotencyKey: newEventId(),
    });

    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toBe('all items of an order must be priced in one currency, not USD and EUR');
    expect(await rowCounts()).toEqual(before);
  });

  it('rejects an order whose total would not fit in a Money amount', async () => {
    const yacht = await orders.knownProduct({ amount: 1_000_000_000, currency: 'USD' });

    const res = await orders.placeOrder(customer(), { items: [{ productId: yacht, quantity: 3 }], paymentToken: 'tok_visa', idempotencyKey: newEventId() });

    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses an anonymous caller', async () => {
    const mug = await orders.knownProduct();

    const res = await orders.placeOrder(null, { items: [{ productId: mug, quantity: 1 }], paymentToken: 'tok_visa', idempotencyKey: newEventId() });

    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });

  it('records a product in the catalog once, however often products.product.created is delivered', async () => {
    const productId = newEventId();
    const event = productCreated.create(productId, { productId, sku: 'SKU-1', name: 'Teapot', price: { amount: 3000, currency: 'USD' }, initialStock: 1 });

    await orders.publishAndWait(event);
    await orders.waitUntilHandled(await orders.publishAgain(event));

    const em = orders.subgraph.orm.em.fork();
    expect(await em.find(CatalogProduct, { productId })).toEqual([
      expect.objectContaining({ productId, name: 'Teapot', priceAmount: 3000, priceCurrency: 'USD' }),
    ]);
  });
});
