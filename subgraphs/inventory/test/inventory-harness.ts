import { connectNats, DEAD_LETTER_STREAM, domainStreamConfig, ensureStream, EventEnvelope, EventPublisher, newEventId, productCreated } from '@ficus/events';
import { createLogger, OutboxEvent, readSubgraphConfig, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, startTestNatsServer, waitFor } from '@ficus/testkit';
import type { JetStreamManager, NatsConnection, PubAck, StoredMsg } from 'nats';
import { build } from '../src/build';
import { StockLevel, StockLevelRow } from '../src/domain/stock-level';

export interface StockChange {
  productId: string;
  available: number;
  reserved: number;
  reason: 'INITIAL' | 'RESTOCK';
}

/** A real inventory subgraph, on its own NATS and database, and a connection that publishes as products does. */
export interface InventoryHarness {
  subgraph: SubgraphHandle;
  /** Publishes on the products side: a real EventPublisher over a connection of its own. */
  products: { nats: NatsConnection; jsm: JetStreamManager; publisher: EventPublisher };
  /** Publishes `products.product.created` for a new product and waits until inventory has handled it. */
  knownProduct(initialStock: number): Promise<string>;
  /** Waits until inventory's consumer has acknowledged (or dead-lettered) the PRODUCTS message at `ack.seq`. */
  waitUntilHandled(ack: PubAck): Promise<void>;
  /** Waits for the dead-lettered copy of the PRODUCTS message at `ack.seq`. */
  deadLetterOf(ack: PubAck): Promise<StoredMsg>;
  stockLevel(productId: string): Promise<StockLevelRow | null>;
  /** `inventory.stock.changed` events for a product that the INVENTORY stream holds, oldest first. */
  publishedStockChanges(productId: string): Promise<StockChange[]>;
  /** `inventory.stock.changed` events for a product in the outbox, published or not. */
  recordedStockChanges(productId: string): Promise<number>;
  /** Waits until the outbox relay has published every event recorded about a product. */
  waitUntilRelayed(productId: string): Promise<void>;
  stop(): Promise<void>;
}

export function productCreatedEvent(overrides: { productId?: string; initialStock?: number } = {}): EventEnvelope {
  const productId = overrides.productId ?? newEventId();
  return productCreated.create(productId, {
    productId,
    sku: `SKU-${productId.slice(-12)}`,
    name: 'Enamel mug',
    price: { amount: 1250, currency: 'USD' },
    initialStock: overrides.initialStock ?? 7,
  });
}

export async function startInventory(
  kind: 'sqlite' | 'postgres',
  consumer?: { maxDeliver?: number; backoffMs?: number[] },
): Promise<InventoryHarness> {
  const nats = await startTestNatsServer();
  const db = await createTestDatabase(kind, 'inventory');
  const productsNats = await connectNats({ url: nats.url, name: 'products-in-test', logger: createLogger('products-in-test', 'warn') });
  const jsm = await productsNats.jetstreamManager();
  // products owns this stream and creates it when it starts; inventory's consumer needs it to exist.
  await ensureStream(jsm, domainStreamConfig('products'));
  const publisher = new EventPublisher(productsNats.jetstream());
  const config = readSubgraphConfig('inventory', 0, { NATS_URL: nats.url, LOG_LEVEL: 'silent' });
  const subgraph = await build({ ...config, port: 0, database: db.target }, { consumer });

  const waitUntilHandled = async (ack: PubAck) => {
    await waitFor(async () => (await jsm.consumers.info('PRODUCTS', 'inventory')).ack_floor.stream_seq >= ack.seq, {
      what: `inventory to handle PRODUCTS message ${ack.seq}`,
    });
  };

  const stockLevel = (productId: string) => subgraph.orm.em.fork().findOne(StockLevel, { productId });

  return {
    subgraph,
    products: { nats: productsNats, jsm, publisher },
    async knownProduct(initialStock) {
      const event = productCreatedEvent({ initialStock });
      await waitUntilHandled(await publisher.publish(event));
      return event.aggregateId;
    },
    waitUntilHandled,
    deadLetterOf(ack) {
      return waitFor(
        async () => {
          const message = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: 'deadletter.PRODUCTS.inventory' }).catch(() => null);
          return message?.header.get('x-original-stream-sequence') === String(ack.seq) ? message : null;
        },
        { what: `the dead-lettered copy of PRODUCTS message ${ack.seq}` },
      );
    },
    stockLevel,
    async publishedStockChanges(productId) {
      const { state } = await jsm.streams.info('INVENTORY');
      const changes: StockChange[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const event = (await jsm.streams.getMessage('INVENTORY', { seq })).json<EventEnvelope<StockChange>>();
        if (event.type === 'inventory.stock.changed' && event.data.productId === productId) changes.push(event.data);
      }
      return changes;
    },
    recordedStockChanges(productId) {
      return subgraph.orm.em.fork().count(OutboxEvent, { type: 'inventory.stock.changed', aggregateId: productId });
    },
    async waitUntilRelayed(productId) {
      await waitFor(async () => (await subgraph.orm.em.fork().count(OutboxEvent, { aggregateId: productId, publishedAt: null })) === 0, {
        what: `the outbox relay to publish the events about ${productId}`,
      });
    },
    async stop() {
      await subgraph.stop();
      await productsNats.drain();
      await db.drop();
      await nats.dispose();
    },
  };
}
