import {
  connectNats,
  DEAD_LETTER_STREAM,
  domainStreamConfig,
  ensureStream,
  EventEnvelope,
  EventPublisher,
  newEventId,
  orderCancelled,
  orderConfirmed,
  orderPlaced,
  productCreated,
} from '@ficus/events';
import { createLogger, OutboxEvent, readSubgraphConfig, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, startTestNatsServer, waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager, type JetStreamManager, type PubAck, type StoredMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { build } from '../src/build';
import { OrderHold, OrderHoldRow } from '../src/domain/order-hold';
import { Reservation, ReservationRow } from '../src/domain/reservation';
import { StockLevel, StockLevelRow } from '../src/domain/stock-level';

export interface StockChange {
  productId: string;
  available: number;
  reserved: number;
  reason: 'INITIAL' | 'RESTOCK' | 'RESERVATION' | 'RELEASE' | 'SALE';
}

export interface OrderItem {
  productId: string;
  quantity: number;
}

/** A real inventory subgraph, on its own NATS and database, and connections that publish as products and orders do. */
export interface InventoryHarness {
  subgraph: SubgraphHandle;
  /** Publishes on the products side: a real EventPublisher over a connection of its own. */
  products: { nats: NatsConnection; jsm: JetStreamManager; publisher: EventPublisher };
  /** Publishes on the orders side, to the ORDERS stream. */
  orders: { publisher: EventPublisher };
  /** Publishes `products.product.created` for a new product and waits until inventory has handled it. */
  knownProduct(initialStock: number): Promise<string>;
  /** Waits until inventory's consumer has acknowledged (or dead-lettered) the message at `ack.seq` of `ack.stream`. */
  waitUntilHandled(ack: PubAck): Promise<void>;
  /** Waits for the dead-lettered copy of the PRODUCTS message at `ack.seq`. */
  deadLetterOf(ack: PubAck): Promise<StoredMsg>;
  /** Publishes an event again under another Nats-Msg-Id, so that only the inbox can stop it, and waits until it is handled. */
  redeliver(event: EventEnvelope): Promise<void>;
  /** Publishes `orders.order.placed` and waits until inventory has handled it. */
  placeOrder(orderId: string, items: OrderItem[]): Promise<EventEnvelope>;
  /** Publishes `orders.order.confirmed` and waits until inventory has handled it. */
  confirmOrder(orderId: string): Promise<EventEnvelope>;
  /** Publishes `orders.order.cancelled` and waits until inventory has handled it. */
  cancelOrder(orderId: string): Promise<EventEnvelope>;
  stockLevel(productId: string): Promise<StockLevelRow | null>;
  hold(orderId: string): Promise<OrderHoldRow | null>;
  reservations(orderId: string): Promise<ReservationRow[]>;
  /** Events about an order (reserved, rejected) that the INVENTORY stream holds, oldest first. */
  publishedAbout(orderId: string): Promise<EventEnvelope[]>;
  /** Events recorded in the outbox, published or not, whose aggregate is `aggregateId`. */
  recordedAbout(aggregateId: string): Promise<number>;
  /** `inventory.stock.changed` events for a product that the INVENTORY stream holds, oldest first, without their versions. */
  publishedStockChanges(productId: string): Promise<StockChange[]>;
  /** The versions those events carry, oldest first. */
  publishedStockVersions(productId: string): Promise<number[]>;
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
  const productsNats = await connectNats({ url: nats.url, name: 'producers-in-test', logger: createLogger('producers-in-test', 'warn') });
  const jsm = await jetstreamManager(productsNats);
  // products and orders own these streams and create them when they start; inventory's consumers need them to exist.
  await ensureStream(jsm, domainStreamConfig('products'));
  await ensureStream(jsm, domainStreamConfig('orders'));
  const publisher = new EventPublisher(jetstream(productsNats));
  const ordersPublisher = new EventPublisher(jetstream(productsNats));
  const config = readSubgraphConfig('inventory', 0, { NATS_URL: nats.url, LOG_LEVEL: 'silent' });
  const subgraph = await build({ ...config, port: 0, database: db.target }, { consumer });

  const waitUntilHandled = async (ack: PubAck) => {
    await waitFor(async () => (await jsm.consumers.info(ack.stream, 'inventory')).ack_floor.stream_seq >= ack.seq, {
      what: `inventory to handle ${ack.stream} message ${ack.seq}`,
    });
  };
  const publishOrderEvent = async (event: EventEnvelope) => {
    await waitUntilHandled(await ordersPublisher.publish(event));
    return event;
  };
  const customerId = 'u-customer';
  const total = { amount: 1000, currency: 'USD' };

  const stockChangeEvents = async (productId: string) => {
    const { state } = await jsm.streams.info('INVENTORY');
    const changes: (StockChange & { version: number })[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const event = (await jsm.streams.getMessage('INVENTORY', { seq }))!.json<EventEnvelope<StockChange & { version: number }>>();
      if (event.type === 'inventory.stock.changed' && event.data.productId === productId) changes.push(event.data);
    }
    return changes;
  };
  const stockLevel = (productId: string) => subgraph.orm.em.fork().findOne(StockLevel, { productId });

  return {
    subgraph,
    products: { nats: productsNats, jsm, publisher },
    orders: { publisher: ordersPublisher },
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
    async redeliver(event) {
      const again = await jetstream(productsNats).publish(event.type, new TextEncoder().encode(JSON.stringify(event)), {
        msgID: `${event.id}-again-${newEventId()}`,
      });
      await waitUntilHandled(again);
    },
    placeOrder(orderId, items) {
      const lines = items.map((item) => ({ ...item, unitPrice: { amount: 500, currency: 'USD' } }));
      return publishOrderEvent(orderPlaced.create(orderId, { orderId, customerId, items: lines, total }));
    },
    confirmOrder(orderId) {
      return publishOrderEvent(orderConfirmed.create(orderId, { orderId, customerId, total }));
    },
    cancelOrder(orderId) {
      return publishOrderEvent(orderCancelled.create(orderId, { orderId, customerId, reason: 'PAYMENT_DECLINED' }));
    },
    stockLevel,
    hold: (orderId) => subgraph.orm.em.fork().findOne(OrderHold, { orderId }),
    reservations: (orderId) => subgraph.orm.em.fork().find(Reservation, { orderId }, { orderBy: { productId: 'asc' } }),
    async publishedAbout(orderId) {
      const { state } = await jsm.streams.info('INVENTORY');
      const events: EventEnvelope[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const event = (await jsm.streams.getMessage('INVENTORY', { seq }))!.json<EventEnvelope>();
        if (event.aggregateId === orderId) events.push(event);
      }
      return events;
    },
    recordedAbout(aggregateId) {
      return subgraph.orm.em.fork().count(OutboxEvent, { aggregateId });
    },
    async publishedStockChanges(productId) {
      return (await stockChangeEvents(productId)).map(({ version: _version, ...change }) => change);
    },
    async publishedStockVersions(productId) {
      return (await stockChangeEvents(productId)).map((change) => change.version);
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
