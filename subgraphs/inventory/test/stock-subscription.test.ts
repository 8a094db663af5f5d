import { newEventId } from '@ficus/events';
import { recordSubscription, SubscriptionRecording, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { InventoryHarness, productCreatedEvent, startInventory } from './inventory-harness';

const WATCH = /* GraphQL */ `subscription Stock($productId: ID!) { stockChanged(productId: $productId) { productId available reserved } }`;

describe.each(['sqlite', 'postgres'] as const)('stockChanged over graphql-ws on %s', (kind) => {
  let inventory: InventoryHarness;
  const clients: Client[] = [];

  beforeAll(async () => {
    inventory = await startInventory(kind);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await inventory?.stop();
  });

  const watchings: SubscriptionRecording[] = [];

  // Every test starts with no stream open, and so with no NATS subscription held for them.
  afterEach(async () => {
    for (const watching of watchings.splice(0)) watching.stop();
    await waitFor(() => inventory.subgraph.feeds.subscriptionCount === 0, { what: 'every stream to release its feed' });
  });

  const watch = (productId: string) => {
    const client = webSocketClient(inventory.subgraph.url);
    clients.push(client);
    const watching = recordSubscription(client, WATCH, { productId });
    watchings.push(watching);
    return watching;
  };

  it('sends the level now, then each reservation, release and sale as it happens', async () => {
    const mug = await inventory.knownProduct(5);
    const watching = watch(mug);
    await waitFor(() => watching.values.length === 1, { what: 'the current level' });
    const kept = newEventId();
    const dropped = newEventId();
    await inventory.placeOrder(kept, [{ productId: mug, quantity: 2 }]);
    await inventory.placeOrder(dropped, [{ productId: mug, quantity: 1 }]);
    await inventory.cancelOrder(dropped);
    await inventory.confirmOrder(kept);
    const levels = [
      { available: 5, reserved: 0 },
      { available: 3, reserved: 2 },
      { available: 2, reserved: 3 },
      { available: 3, reserved: 2 },
      { available: 3, reserved: 0 },
    ];
    await waitFor(() => watching.values.length === levels.length, { what: 'every change', timeoutMs: 10_000 });
    expect(watching.values).toEqual(levels.map((level) => ({ stockChanged: { productId: mug, ...level } })));
    expect(watching.errors).toEqual([]);
    expect(watching.completed).toBe(false);
    // Every change bumps the level's version, and the events carry it, so a subscriber can drop a stale one.
    await inventory.waitUntilRelayed(mug);
    expect(await inventory.publishedStockVersions(mug)).toEqual([1, 2, 3, 4, 5]);
  });

  it('waits for a product inventory has not heard of yet, then sends its level', async () => {
    const productId = newEventId();
    const watching = watch(productId);
    await waitFor(async () => (await inventory.subgraph.metrics.registry.getSingleMetricAsString('ficus_subscriptions_open')).endsWith(' 1'), {
      what: 'the subscription to be open',
    });
    await inventory.waitUntilHandled(await inventory.products.publisher.publish(productCreatedEvent({ productId, initialStock: 4 })));
    await waitFor(() => watching.values.length === 1, { what: 'the first level' });
    expect(watching.values).toEqual([{ stockChanged: { productId, available: 4, reserved: 0 } }]);
  });

  it('follows two products for 10 subscribers with one NATS subscription, each told of its own product only', async () => {
    const mug = await inventory.knownProduct(5);
    const bowl = await inventory.knownProduct(7);
    const mugWatchers = Array.from({ length: 6 }, () => watch(mug));
    const bowlWatchers = Array.from({ length: 4 }, () => watch(bowl));
    await waitFor(() => [...mugWatchers, ...bowlWatchers].every((w) => w.values.length === 1), { what: 'the current levels' });
    expect(inventory.subgraph.feeds.subscriptionCount).toBe(1);

    // One subscription delivers in order: had the mug's change reached a bowl watcher, it would show before the bowl's.
    await inventory.placeOrder(newEventId(), [{ productId: mug, quantity: 2 }]);
    await inventory.placeOrder(newEventId(), [{ productId: bowl, quantity: 1 }]);
    await waitFor(() => [...mugWatchers, ...bowlWatchers].every((w) => w.values.length === 2), { what: 'each change' });
    expect(mugWatchers.map((w) => w.values[1])).toEqual(Array(6).fill({ stockChanged: { productId: mug, available: 3, reserved: 2 } }));
    expect(bowlWatchers.map((w) => w.values)).toEqual(
      Array(4).fill([{ stockChanged: { productId: bowl, available: 7, reserved: 0 } }, { stockChanged: { productId: bowl, available: 6, reserved: 1 } }]),
    );

    for (const watcher of [...mugWatchers, ...bowlWatchers]) watcher.stop();
    await waitFor(() => inventory.subgraph.feeds.subscriptionCount === 0, { what: 'the shared subscription to be dropped' });
  });
});
