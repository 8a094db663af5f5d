import { identityToHeaders, SubgraphHandle } from '@ficus/kit';
import { graphql, recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { build } from '../src/build';
import { customer, OrdersHarness } from './orders-harness';

const WATCH = /* GraphQL */ `
  subscription Watch($orderId: ID!) { orderStatusChanged(orderId: $orderId) { id status cancellationReason } }
`;
const CANCEL = /* GraphQL */ `
  mutation Cancel($id: ID!) { cancelOrder(id: $id) { id status } }
`;

// Two replicas of orders on one database and NATS: the gateway's socket may be held by one
// while the change is committed by the other.
describe('order subscriptions across two orders instances on PostgreSQL', () => {
  let orders: OrdersHarness;
  let instanceB: SubgraphHandle;
  let client: Client;

  beforeAll(async () => {
    orders = await OrdersHarness.start('postgres');
    instanceB = await build(orders.config);
  });

  afterAll(async () => {
    await client?.dispose();
    await instanceB?.stop();
    await orders?.stop();
  });

  it('streams to a subscriber on one instance the change committed by the other', async () => {
    const ann = customer();
    const mug = await orders.knownProduct();
    const orderId = await orders.placedOrder(ann, [{ productId: mug, quantity: 1 }]);
    client = webSocketClient(orders.subgraph.url, { headers: identityToHeaders(ann) });
    const watching = recordSubscription(client, WATCH, { orderId });
    await waitFor(() => watching.values.length === 1, { what: 'the current status from instance A' });

    const cancelled = await graphql(instanceB.url, CANCEL, { id: orderId }, identityToHeaders(ann));
    expect(cancelled.errors).toBeUndefined();

    await waitFor(() => watching.completed, { what: 'instance A to stream the cancellation committed on B' });
    expect(watching.values).toEqual([
      { orderStatusChanged: { id: orderId, status: 'PENDING', cancellationReason: null } },
      { orderStatusChanged: { id: orderId, status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' } },
    ]);
  });
});
