import { newEventId } from '@ficus/events';
import { identityToHeaders } from '@ficus/kit';
import { graphql } from '@ficus/testkit';
import { customer, OrdersHarness } from './orders-harness';

const CANCEL = /* GraphQL */ `mutation Cancel($id: ID!) { cancelOrder(id: $id) { id status cancellationReason } }`;

describe.each(['sqlite', 'postgres'] as const)('the order saga on %s', (kind) => {
  let orders: OrdersHarness;

  beforeAll(async () => {
    orders = await OrdersHarness.start(kind);
  });

  afterAll(async () => {
    await orders?.stop();
  });

  const ann = customer();
  const pendingOrder = async (paymentToken = 'tok_visa') => {
    const mug = await orders.knownProduct({ amount: 1250, currency: 'USD' });
    return orders.placedOrder(ann, [{ productId: mug, quantity: 2 }], paymentToken);
  };
  const eventTypes = async (orderId: string) => {
    await orders.waitUntilRelayed(orderId);
    return (await orders.publishedEvents(orderId)).map((event) => event.type);
  };

  it('asks payments to charge the token once stock is reserved, then confirms the order when the payment succeeds', async () => {
    const orderId = await pendingOrder('tok_visa');

    const reservedAt = Date.now();
    await orders.publishAndWait(orders.stockReserved(orderId));

    const requested = await orders.publishedEvent(orderId, 'orders.payment.requested');
    expect(requested.data).toEqual({ orderId, customerId: ann.userId, amount: { amount: 2500, currency: 'USD' }, paymentToken: 'tok_visa' });
    expect(requested.msgId).toBe(requested.id);
    const awaiting = await orders.order(orderId);
    expect(awaiting).toMatchObject({ status: 'PENDING', sagaStep: 'AWAITING_PAYMENT' });
    expect(awaiting!.paymentDeadline!.getTime()).toBeGreaterThanOrEqual(reservedAt + orders.config.paymentTimeoutMs);

    await orders.publishAndWait(orders.paymentSucceeded(orderId, { amount: 2500, currency: 'USD' }));

    expect(await orders.order(orderId)).toMatchObject({ status: 'CONFIRMED', sagaStep: 'DONE', cancellationReason: null });
    const confirmed = await orders.publishedEvent(orderId, 'orders.order.confirmed');
    expect(confirmed.data).toEqual({ orderId, customerId: ann.userId, total: { amount: 2500, currency: 'USD' } });
    expect(await eventTypes(orderId)).toEqual(['orders.order.placed', 'orders.payment.requested', 'orders.order.confirmed']);
  });

  it('carries the correlation id of the event it follows and names that event as the cause', async () => {
    const orderId = await pendingOrder();
    const reserved = orders.stockReserved(orderId);

    await orders.publishAndWait(reserved);

    const requested = await orders.publishedEvent(orderId, 'orders.payment.requested');
    expect(requested).toMatchObject({ correlationId: reserved.correlationId, causationId: reserved.id });
  });

  it('cancels the order as OUT_OF_STOCK when inventory rejects it', async () => {
    const orderId = await pendingOrder();

    await orders.publishAndWait(orders.stockRejected(orderId));

    expect(await orders.order(orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK', sagaStep: 'DONE' });
    const cancelled = await orders.publishedEvent(orderId, 'orders.order.cancelled');
    expect(cancelled.data).toEqual({ orderId, customerId: ann.userId, reason: 'OUT_OF_STOCK' });
    expect(await eventTypes(orderId)).toEqual(['orders.order.placed', 'orders.order.cancelled']);
  });

  it('cancels the order as PAYMENT_DECLINED when payments declines the charge', async () => {
    const orderId = await pendingOrder('tok_declined');
    await orders.publishAndWait(orders.stockReserved(orderId));

    await orders.publishAndWait(orders.paymentDeclined(orderId));

    expect(await orders.order(orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
    const cancelled = await orders.publishedEvent(orderId, 'orders.order.cancelled');
    expect(cancelled.data).toEqual({ orderId, customerId: ann.userId, reason: 'PAYMENT_DECLINED' });
    expect(await eventTypes(orderId)).toEqual(['orders.order.placed', 'orders.payment.requested', 'orders.order.cancelled']);
  });

  it('changes nothing when the same events are delivered again', async () => {
    const orderId = await pendingOrder();
    const reserved = orders.stockReserved(orderId);
    const succeeded = orders.paymentSucceeded(orderId);
    await orders.publishAndWait(reserved);
    await orders.publishAndWait(succeeded);
    const before = await orders.order(orderId);

    await orders.waitUntilHandled(await orders.publishAgain(reserved));
    await orders.waitUntilHandled(await orders.publishAgain(succeeded));

    expect(await orders.order(orderId)).toEqual(before);
    expect(await orders.recordedEvents(orderId)).toBe(3);
    expect(await eventTypes(orderId)).toEqual(['orders.order.placed', 'orders.payment.requested', 'orders.order.confirmed']);
  });

  it('asks for payment once even when inventory reports the same reservation in two different events', async () => {
    const orderId = await pendingOrder();

    await orders.publishAndWait(orders.stockReserved(orderId));
    const deadline = (await orders.order(orderId))!.paymentDeadline;
    await orders.publishAndWait(orders.stockReserved(orderId));

    expect((await orders.order(orderId))!.paymentDeadline).toEqual(deadline);
    expect(await orders.recordedEvents(orderId, 'orders.payment.requested')).toBe(1);
  });

  it('asks for no payment when stock is reserved for an order the customer has already cancelled', async () => {
    const orderId = await pendingOrder();
    const res = await graphql(orders.subgraph.url, CANCEL, { id: orderId }, identityToHeaders(ann));
    expect(res.data.cancelOrder).toMatchObject({ status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });

    await orders.publishAndWait(orders.stockReserved(orderId));

    expect(await orders.order(orderId)).toMatchObject({ status: 'CANCELLED', sagaStep: 'DONE', paymentDeadline: null });
    expect(await eventTypes(orderId)).toEqual(['orders.order.placed', 'orders.order.cancelled']);
  });

  it('leaves a cancelled order cancelled when a payment succeeds for it late, and announces no confirmation', async () => {
    const orderId = await pendingOrder();
    await orders.publishAndWait(orders.stockReserved(orderId));
    await orders.publishAndWait(orders.paymentDeclined(orderId));

    await orders.publishAndWait(orders.paymentSucceeded(orderId));

    expect(await orders.order(orderId)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED' });
    expect(await orders.recordedEvents(orderId, 'orders.order.confirmed')).toBe(0);
    expect(await orders.recordedEvents(orderId, 'orders.order.cancelled')).toBe(1);
  });

  it('keeps a confirmed order confirmed when inventory rejects it after all', async () => {
    const orderId = await pendingOrder();
    await orders.publishAndWait(orders.stockReserved(orderId));
    await orders.publishAndWait(orders.paymentSucceeded(orderId));

    await orders.publishAndWait(orders.stockRejected(orderId));
    await orders.publishAndWait(orders.paymentDeclined(orderId));

    expect(await orders.order(orderId)).toMatchObject({ status: 'CONFIRMED', cancellationReason: null });
    expect(await orders.recordedEvents(orderId, 'orders.order.cancelled')).toBe(0);
  });

  it('acknowledges events about orders it never placed and changes nothing', async () => {
    const unknown = newEventId();

    await orders.publishAndWait(orders.stockReserved(unknown));
    await orders.publishAndWait(orders.paymentSucceeded(unknown));
    await orders.publishAndWait(orders.stockRejected(unknown));

    expect(await orders.order(unknown)).toBeNull();
    expect(await orders.recordedEvents(unknown)).toBe(0);
  });
});
