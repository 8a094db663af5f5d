import { connectNats, DEAD_LETTER_STREAM, EventEnvelope, EventPublisher, orderCancelled, orderConfirmed, orderPlaced, paymentRequested } from '@ficus/events';
import { randomUUID } from 'node:crypto';
import { waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { handledEvents, placeOrder, providerLedger, settledOrder, signUpShopper, stockedProduct } from './saga-helpers';
import { devAdmin, startTestStack, TestStack } from './stack-harness';

describe('event delivery faults across real processes', () => {
  let t: TestStack;
  let nc: NatsConnection;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestStack('delivery');
    nc = await connectNats({ url: t.nats.url, name: 'delivery-test', logger: pino({ level: 'silent' }) });
    adminToken = await t.signIn(devAdmin.email, devAdmin.password);
  });

  afterAll(async () => {
    await nc?.close();
    await t?.dispose();
  });

  const metric = async (service: string, pattern: RegExp) => {
    const text = await (await fetch(t.stack.urls[service]!.replace('/graphql', '/metrics'))).text();
    return text.split('\n').filter((line) => pattern.test(line));
  };

  it('changes nothing when an order event is delivered again under a new message id', async () => {
    const shopper = await signUpShopper(t, 'dup');
    const productId = await stockedProduct(t, adminToken, 'DUP-1', 5);
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 2 }], 'tok_visa');
    const order = await settledOrder(t, shopper.token, placed.data.placeOrder.id);
    expect(order.status).toBe('CONFIRMED');
    await waitFor(async () => (await t.send('MyOrders', {}, shopper.token)).data.me.notifications.length === 1, {
      what: 'the confirmation notification',
    });

    const jsm = await jetstreamManager(nc);
    const stored = (await jsm.streams.getMessage('ORDERS', { last_by_subj: orderConfirmed.type }))!;
    const confirmed = stored.json<EventEnvelope>();
    expect(confirmed.aggregateId).toBe(order.id);
    const before = await metric('inventory', /ficus_event_deliveries_total\{.*orders\.order\.confirmed.*outcome="handled"/);
    await jetstream(nc).publish(orderConfirmed.type, stored.data, { msgID: `${confirmed.id}-again` });
    await waitFor(
      async () =>
        JSON.stringify(await metric('inventory', /ficus_event_deliveries_total\{.*orders\.order\.confirmed.*outcome="handled"/)) !==
        JSON.stringify(before),
      { what: 'inventory to receive the duplicate' },
    );

    const stock = await t.request('query($id: ID!) { product(id: $id) { stock { available reserved } } }', { id: productId });
    expect(stock.data.product.stock).toEqual({ available: 3, reserved: 0 });
    const mine = await t.send('MyOrders', {}, shopper.token);
    expect(mine.data.me.notifications).toHaveLength(1);
  });

  it('holds no stock and charges nothing when an order\'s cancellation arrives before its placement and payment request', async () => {
    // A redelivered placement (after a failed try) can reach inventory and payments after the
    // cancellation that followed it; here the events are published in that order outright.
    const productId = await stockedProduct(t, adminToken, 'LATE-1', 4);
    const orderId = randomUUID();
    const customerId = randomUUID();
    const price = { amount: 1000, currency: 'USD' };
    const before = {
      placed: await handledEvents(t, 'inventory', orderPlaced.type),
      requested: await handledEvents(t, 'payments', paymentRequested.type),
    };
    const publisher = new EventPublisher(jetstream(nc));
    await publisher.publish(orderCancelled.create(orderId, { orderId, customerId, reason: 'CUSTOMER_CANCELLED' }));
    await publisher.publish(orderPlaced.create(orderId, { orderId, customerId, items: [{ productId, quantity: 3, unitPrice: price }], total: { amount: 3000, currency: 'USD' } }));
    await publisher.publish(paymentRequested.create(orderId, { orderId, customerId, amount: { amount: 3000, currency: 'USD' }, paymentToken: 'tok_visa' }));

    await waitFor(async () => (await handledEvents(t, 'inventory', orderPlaced.type)) === before.placed + 1, {
      what: 'inventory to handle the late placement',
    });
    await waitFor(async () => (await handledEvents(t, 'payments', paymentRequested.type)) === before.requested + 1, {
      what: 'payments to handle the late payment request',
    });
    const stock = await t.request('query($id: ID!) { product(id: $id) { stock { available reserved } } }', { id: productId });
    expect(stock.data.product.stock).toEqual({ available: 4, reserved: 0 });
    expect((await providerLedger(t.databaseUrls.payments!)).get(orderId)).toBeUndefined();
  });

  it('dead-letters an event no consumer can read, counts it in /metrics, and keeps serving the next orders', async () => {
    await jetstream(nc).publish('orders.order.placed', new TextEncoder().encode('{"not":"an envelope"}'), { msgID: 'broken-1' });

    const jsm = await jetstreamManager(nc);
    for (const consumer of ['inventory', 'payments', 'notifications']) {
      const dead = await waitFor(
        () => jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: `deadletter.ORDERS.${consumer}` }).catch(() => null),
        { what: `${consumer} to dead-letter the unreadable event` },
      );
      expect(dead.header.get('x-dead-letter-reason')).toMatch(/^unreadable envelope/);
    }
    expect((await metric('inventory', /ficus_event_deliveries_total\{.*outcome="dead-lettered"/)).join('\n')).toMatch(/ 1$/);

    const shopper = await signUpShopper(t, 'after');
    const productId = await stockedProduct(t, adminToken, 'AFTER-1', 3);
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_visa');
    expect((await settledOrder(t, shopper.token, placed.data.placeOrder.id)).status).toBe('CONFIRMED');
  });
});
