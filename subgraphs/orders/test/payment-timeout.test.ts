import { customer, OrdersHarness } from './orders-harness';

describe.each(['sqlite', 'postgres'] as const)('payment timeouts on %s', (kind) => {
  let orders: OrdersHarness;

  beforeAll(async () => {
    orders = await OrdersHarness.start(kind, { PAYMENT_TIMEOUT_MS: '200', SAGA_SWEEP_INTERVAL_MS: '50' });
  });

  afterAll(async () => {
    await orders?.stop();
  });

  const ann = customer();
  const awaitingPayment = async () => {
    const mug = await orders.knownProduct();
    const orderId = await orders.placedOrder(ann, [{ productId: mug, quantity: 1 }], 'tok_timeout');
    await orders.publishAndWait(orders.stockReserved(orderId));
    return orderId;
  };

  it('cancels an order as PAYMENT_TIMEOUT when no payment answer arrives before its deadline', async () => {
    const orderId = await awaitingPayment();

    const cancelled = await orders.waitForOrder(orderId, (o) => o.status === 'CANCELLED', 'CANCELLED');

    expect(cancelled).toMatchObject({ cancellationReason: 'PAYMENT_TIMEOUT', sagaStep: 'DONE' });
    expect(cancelled.updatedAt.getTime()).toBeGreaterThanOrEqual(cancelled.paymentDeadline!.getTime());
    const event = await orders.publishedEvent(orderId, 'orders.order.cancelled');
    expect(event.data).toEqual({ orderId, customerId: ann.userId, reason: 'PAYMENT_TIMEOUT' });
    // Without an event to follow, the sweep carries the placing request's correlation id.
    const placed = await orders.publishedEvent(orderId, 'orders.order.placed');
    expect(event.correlationId).toBe(placed.correlationId);
  });

  it('leaves a timed-out order cancelled when its payment succeeds late, and announces no confirmation', async () => {
    const orderId = await awaitingPayment();
    await orders.waitForOrder(orderId, (o) => o.status === 'CANCELLED', 'CANCELLED');

    await orders.publishAndWait(orders.paymentSucceeded(orderId));
    await orders.publishAndWait(orders.paymentDeclined(orderId));

    expect(await orders.order(orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_TIMEOUT' });
    expect(await orders.recordedEvents(orderId, 'orders.order.confirmed')).toBe(0);
    expect(await orders.recordedEvents(orderId, 'orders.order.cancelled')).toBe(1);
  });

  it('never times out an order that is still waiting for stock', async () => {
    const mug = await orders.knownProduct();
    const waiting = await orders.placedOrder(ann, [{ productId: mug, quantity: 1 }]);
    // An order placed after it and timed out proves that sweeps ran meanwhile.
    const later = await awaitingPayment();
    await orders.waitForOrder(later, (o) => o.status === 'CANCELLED', 'CANCELLED');

    expect(await orders.order(waiting)).toMatchObject({ status: 'PENDING', sagaStep: 'AWAITING_STOCK' });
  });
});

describe.each(['sqlite', 'postgres'] as const)('a payment deadline across a restart on %s', (kind) => {
  let orders: OrdersHarness;

  beforeAll(async () => {
    orders = await OrdersHarness.start(kind, { PAYMENT_TIMEOUT_MS: '3000', SAGA_SWEEP_INTERVAL_MS: '50' });
  });

  afterAll(async () => {
    await orders?.stop();
  });

  it('still times the order out after a restart, at the deadline set before it', async () => {
    const ann = customer();
    const mug = await orders.knownProduct();
    const orderId = await orders.placedOrder(ann, [{ productId: mug, quantity: 1 }], 'tok_timeout');
    await orders.publishAndWait(orders.stockReserved(orderId));
    const { paymentDeadline } = (await orders.order(orderId))!;

    // The new service would wait an hour for a payment it asked for: only the stored deadline can time this order out.
    await orders.restart({ PAYMENT_TIMEOUT_MS: '3600000', SAGA_SWEEP_INTERVAL_MS: '50' });
    expect(Date.now()).toBeLessThan(paymentDeadline!.getTime());

    const cancelled = await orders.waitForOrder(orderId, (o) => o.status === 'CANCELLED', 'CANCELLED');
    expect(cancelled).toMatchObject({ cancellationReason: 'PAYMENT_TIMEOUT', paymentDeadline });
    expect(cancelled.updatedAt.getTime()).toBeGreaterThanOrEqual(paymentDeadline!.getTime());
    const event = await orders.publishedEvent(orderId, 'orders.order.cancelled');
    expect(event.data).toEqual({ orderId, customerId: ann.userId, reason: 'PAYMENT_TIMEOUT' });
  });
});
