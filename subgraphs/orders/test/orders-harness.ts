import {
  connectNats,
  domainStreamConfig,
  ensureStream,
  EventEnvelope,
  EventPublisher,
  newEventId,
  paymentDeclined,
  paymentSucceeded,
  productCreated,
  stockRejected,
  stockReserved,
} from '@ficus/events';
import { createLogger, Identity, identityToHeaders, OutboxEvent, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, graphql, GraphQLResponse, startTestNatsServer, TestDatabase, TestNatsServer, waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager, type JetStreamManager, type PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { build } from '../src/build';
import { OrdersConfig, readOrdersConfig } from '../src/config';
import { Order, OrderRow } from '../src/domain/order';

export type DatabaseKind = 'sqlite' | 'postgres';

/** An event in the ORDERS stream, with the message id it was published under. */
export interface PublishedEvent extends EventEnvelope<any> {
  msgId: string | undefined;
}

export const PLACE_ORDER = /* GraphQL */ `
  mutation Place($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id status cancellationReason total { amount currency } customer { id }
      items { product { id } quantity unitPrice { amount currency } }
      createdAt updatedAt
    }
  }
`;

export function customer(userId = `u-${newEventId()}`, roles = ['customer']): Identity {
  return { userId, email: `${userId}@example.com`, roles };
}

export const admin = customer('u-admin', ['admin']);

/**
 * A real orders subgraph on its own NATS and database, and one connection that publishes
 * as products, inventory and payments do.
 */
export class OrdersHarness {
  private readonly seen: PublishedEvent[] = [];
  private nextSeq = 1;

  private constructor(
    readonly nats: TestNatsServer,
    readonly db: TestDatabase,
    readonly peers: NatsConnection,
    readonly jsm: JetStreamManager,
    private readonly publisher: EventPublisher,
    public config: OrdersConfig,
    public subgraph: SubgraphHandle,
  ) {}

  static async start(kind: DatabaseKind, env: NodeJS.ProcessEnv = {}): Promise<OrdersHarness> {
    const nats = await startTestNatsServer();
    const db = await createTestDatabase(kind, 'orders');
    const peers = await connectNats({ url: nats.url, name: 'peers-in-test', logger: createLogger('peers-in-test', 'warn') });
    const jsm = await jetstreamManager(peers);
    // Each producer owns its stream and creates it at start; here the test is the producer.
    for (const domain of ['products', 'inventory', 'payments']) await ensureStream(jsm, domainStreamConfig(domain));
    const config = OrdersHarness.configFor(nats, db, env);
    const subgraph = await build(config, { consumer: { maxDeliver: 3, backoffMs: [50] } });
    return new OrdersHarness(nats, db, peers, jsm, new EventPublisher(jetstream(peers)), config, subgraph);
  }

  private static configFor(nats: TestNatsServer, db: TestDatabase, env: NodeJS.ProcessEnv): OrdersConfig {
    return { ...readOrdersConfig({ NATS_URL: nats.url, LOG_LEVEL: 'silent', ...env }), port: 0, database: db.target };
  }

  /** Stops the service and starts a new one on the same database and NATS. */
  async restart(env: NodeJS.ProcessEnv = {}): Promise<void> {
    await this.subgraph.stop();
    this.config = OrdersHarness.configFor(this.nats, this.db, env);
    this.subgraph = await build(this.config, { consumer: { maxDeliver: 3, backoffMs: [50] } });
  }

  async stop(): Promise<void> {
    await this.subgraph.stop();
    await this.peers.drain();
    await this.db.drop();
    await this.nats.dispose();
  }

  graphql<T = any>(query: string, variables: Record<string, unknown>, as: Identity | null): Promise<GraphQLResponse<T>> {
    return graphql<T>(this.subgraph.url, query, variables, as ? identityToHeaders(as) : {});
  }

  placeOrder(as: Identity | null, input: Record<string, unknown>) {
    return this.graphql(PLACE_ORDER, { input }, as);
  }

  /** Places an order and fails the test if it is refused. */
  async placedOrder(as: Identity, items: { productId: string; quantity: number }[], paymentToken = 'tok_visa'): Promise<string> {
    const res = await this.placeOrder(as, { items, paymentToken, idempotencyKey: newEventId() });
    if (res.errors) throw new Error(`placeOrder failed: ${JSON.stringify(res.errors)}`);
    return res.data.placeOrder.id;
  }

  /** Publishes as the event's producer would. */
  publish(event: EventEnvelope): Promise<PubAck> {
    return this.publisher.publish(event);
  }

  /** The same envelope again under another Nats-Msg-Id, so only the inbox can stop it: a redelivery. */
  publishAgain(event: EventEnvelope): Promise<PubAck> {
    return jetstream(this.peers).publish(event.type, new TextEncoder().encode(JSON.stringify(event)), { msgID: `${event.id}-again` });
  }

  /** Waits until the orders consumer has acknowledged the message at `ack` (and everything before it). */
  async waitUntilHandled(ack: PubAck): Promise<void> {
    await waitFor(async () => (await this.jsm.consumers.info(ack.stream, 'orders')).ack_floor.stream_seq >= ack.seq, {
      what: `orders to handle ${ack.stream} message ${ack.seq}`,
    });
  }

  async publishAndWait(event: EventEnvelope): Promise<void> {
    await this.waitUntilHandled(await this.publish(event));
  }

  /** A product that orders has heard of, at this price. */
  async knownProduct(price = { amount: 1250, currency: 'USD' }): Promise<string> {
    const productId = newEventId();
    await this.publishAndWait(
      productCreated.create(productId, { productId, sku: `SKU-${productId.slice(-12)}`, name: 'Enamel mug', price, initialStock: 10 }),
    );
    return productId;
  }

  stockReserved(orderId: string, items = [{ productId: 'p', quantity: 1 }]) {
    return stockReserved.create(orderId, { orderId, items });
  }

  stockRejected(orderId: string) {
    return stockRejected.create(orderId, { orderId, reason: 'OUT_OF_STOCK', productIds: ['p'] });
  }

  paymentSucceeded(orderId: string, amount = { amount: 1250, currency: 'USD' }) {
    return paymentSucceeded.create(orderId, { orderId, paymentId: `pay-${orderId}`, amount });
  }

  paymentDeclined(orderId: string) {
    return paymentDeclined.create(orderId, { orderId, paymentId: `pay-${orderId}`, reason: 'card_declined' });
  }

  order(orderId: string): Promise<OrderRow | null> {
    return this.subgraph.orm.em.fork().findOne(Order, { id: orderId });
  }

  waitForOrder(orderId: string, matches: (order: OrderRow) => boolean, what: string): Promise<OrderRow> {
    return waitFor(
      async () => {
        const order = await this.order(orderId);
        return order && matches(order) ? order : null;
      },
      { what: `order ${orderId} to be ${what}` },
    );
  }

  /** Events about an order in the outbox, published or not. */
  recordedEvents(orderId: string, type?: string): Promise<number> {
    return this.subgraph.orm.em.fork().count(OutboxEvent, { aggregateId: orderId, ...(type ? { type } : {}) });
  }

  /** Waits until the outbox relay has published every event recorded about an order. */
  async waitUntilRelayed(orderId: string): Promise<void> {
    await waitFor(async () => (await this.subgraph.orm.em.fork().count(OutboxEvent, { aggregateId: orderId, publishedAt: null })) === 0, {
      what: `the outbox relay to publish the events about ${orderId}`,
    });
  }

  /** Events about an order that the ORDERS stream holds, oldest first. */
  async publishedEvents(orderId: string, type?: string): Promise<PublishedEvent[]> {
    const { state } = await this.jsm.streams.info('ORDERS');
    for (; this.nextSeq <= state.last_seq; this.nextSeq++) {
      const message = (await this.jsm.streams.getMessage('ORDERS', { seq: this.nextSeq }))!;
      this.seen.push({ ...message.json<EventEnvelope>(), msgId: message.header?.get('Nats-Msg-Id') });
    }
    return this.seen.filter((event) => event.aggregateId === orderId && (!type || event.type === type));
  }

  /** Waits for the event of this type about an order in the ORDERS stream. */
  publishedEvent(orderId: string, type: string): Promise<PublishedEvent> {
    return waitFor(async () => (await this.publishedEvents(orderId, type)).at(0), { what: `${type} for ${orderId} in ORDERS` });
  }
}
