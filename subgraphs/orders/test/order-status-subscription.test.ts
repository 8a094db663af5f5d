import { identityToHeaders } from '@ficus/kit';
import { recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
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
});
