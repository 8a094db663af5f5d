import { orderCancelled } from '@ficus/events';
import { Identity, identityToHeaders } from '@ficus/kit';
import { recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { Order } from '../src/domain/order';
import { admin, customer, OrdersHarness } from './orders-harness';

const WATCH = /* GraphQL */ `
  subscription Watch($orderId: ID!) { orderStatusChanged(orderId: $orderId) { id status cancellationReason } }
`;

describe.each(['sqlite', 'postgres'] as const)('orderStatusChanged over graphql-ws on %s', (kind) => {
  let orders: OrdersHarness;
  const clients: Client[] = [];

  beforeAll(async () => {
    orders = await OrdersHarness.start(kind);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await orders?.stop();
  });

  const ann = customer();
  /** A client connected as the gateway connects: the verified identity as headers in connection_init. */
  const clientAs = (identity: ReturnType<typeof customer> | null) => {
    const client = webSocketClient(orders.subgraph.url, identity ? { headers: identityToHeaders(identity) } : {});
    clients.push(client);
    return client;
  };
  /** Each operation's own identity, as the gateway sends it when many callers share one socket. */
  const as = (identity: Identity) => ({ headers: identityToHeaders(identity) });
  const orderFeeds = async () => (await orders.nats.subscriptionsOf('orders')).filter((subject) => subject === 'orders.>').length;
  /** A read of one order by its id (parameters are not in the log): what each woken subscriber runs. */
  const readsOneOrder = (sql: string) => /^select .* from [`"]orders[`"] as [`"]o0[`"] where [`"]o0[`"]\.[`"]id[`"] = \S+ limit/i.test(sql);
  const pendingOrder = async () => {
    const mug = await orders.knownProduct();
    return orders.placedOrder(ann, [{ productId: mug, quantity: 1 }]);
  };

  it('streams PENDING, then CONFIRMED when the saga confirms, then completes', async () => {
    const orderId = await pendingOrder();
    const watching = recordSubscription(clientAs(ann), WATCH, { orderId });
    await waitFor(() => watching.values.length === 1, { what: 'the current status' });
    await orders.publishAndWait(orders.stockReserved(orderId));
    await orders.publishAndWait(orders.paymentSucceeded(orderId));
    await waitFor(() => watching.completed, { what: 'the stream to complete at CONFIRMED' });
    expect(watching.values).toEqual([
      { orderStatusChanged: { id: orderId, status: 'PENDING', cancellationReason: null } },
      { orderStatusChanged: { id: orderId, status: 'CONFIRMED', cancellationReason: null } },
    ]);
    expect(watching.errors).toEqual([]);
  });

  it('gives a late subscriber the whole history: PENDING then CANCELLED with the reason', async () => {
    const orderId = await pendingOrder();
    await orders.publishAndWait(orders.stockRejected(orderId));
    await orders.waitForOrder(orderId, (o) => o.status === 'CANCELLED', 'cancelled');
    const watching = recordSubscription(clientAs(admin), WATCH, { orderId });
    await waitFor(() => watching.completed, { what: 'the history and completion' });
    expect(watching.values).toEqual([
      { orderStatusChanged: { id: orderId, status: 'PENDING', cancellationReason: null } },
      { orderStatusChanged: { id: orderId, status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' } },
    ]);
  });

  it("refuses another customer's order, an anonymous caller and an unknown order, with codes", async () => {
    const orderId = await pendingOrder();
    const cases = [
      { as: customer(), orderId, code: 'FORBIDDEN' },
      { as: null, orderId, code: 'UNAUTHENTICATED' },
      { as: ann, orderId: 'no-such-order', code: 'NOT_FOUND' },
    ];
    for (const c of cases) {
      const refused = recordSubscription(clientAs(c.as), WATCH, { orderId: c.orderId });
      await waitFor(() => refused.errors.length > 0 || refused.values.length > 0, { what: `the refusal for ${c.code}` });
      expect(refused.values).toEqual([]);
      expect(refused.errors[0]?.extensions?.code).toBe(c.code);
    }
  });

  it('authorises each operation on one socket as its own caller', async () => {
    const orderId = await pendingOrder();
    const socket = clientAs(null);
    const own = recordSubscription(socket, WATCH, { orderId }, as(ann));
    const stranger = recordSubscription(socket, WATCH, { orderId }, as(customer()));
    const anonymous = recordSubscription(socket, WATCH, { orderId });
    await waitFor(() => own.values.length === 1 && stranger.errors.length > 0 && anonymous.errors.length > 0, {
      what: 'the status for its customer and a refusal for the others',
    });
    expect(own.values).toEqual([{ orderStatusChanged: { id: orderId, status: 'PENDING', cancellationReason: null } }]);
    expect([stranger.values, anonymous.values]).toEqual([[], []]);
    expect([stranger.errors[0]?.extensions?.code, anonymous.errors[0]?.extensions?.code]).toEqual(['FORBIDDEN', 'UNAUTHENTICATED']);
    own.stop();
    await waitFor(async () => (await orderFeeds()) === 0, { what: 'the orders.> subscription to be dropped' });
  });

  it('follows one order for 10 subscribers with one NATS subscription and one read per event', async () => {
    const orderId = await pendingOrder();
    const socket = clientAs(ann);
    const watching = Array.from({ length: 10 }, () => recordSubscription(socket, WATCH, { orderId }));
    await waitFor(() => watching.every((w) => w.values.length === 1), { what: 'PENDING for every subscriber' });
    expect(await orderFeeds()).toBe(1);

    const reads: string[] = [];
    const unsubscribe = orders.subgraph.queryLog.subscribe((sql) => {
      if (readsOneOrder(sql)) reads.push(sql);
    });
    try {
      // Committed and announced as the saga would, without its own reads of the order.
      await orders.subgraph.orm.em.fork().nativeUpdate(Order, { id: orderId }, { status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' });
      await orders.publish(orderCancelled.create(orderId, { orderId, customerId: ann.userId, reason: 'OUT_OF_STOCK' }));
      await waitFor(() => watching.every((w) => w.completed), { what: 'every subscriber to see CANCELLED' });
    } finally {
      unsubscribe();
    }
    expect(reads).toHaveLength(1);
    expect(watching.map((w) => w.values.at(-1))).toEqual(
      Array(10).fill({ orderStatusChanged: { id: orderId, status: 'CANCELLED', cancellationReason: 'OUT_OF_STOCK' } }),
    );
    await waitFor(async () => (await orderFeeds()) === 0, { what: 'the orders.> subscription to be dropped' });
  });
});
