import { connectNats, domainStreamConfig, ensureStream, EventEnvelope, EventPublisher, newEventId, orderPlaced, productCreated } from '@ficus/events';
import { createLogger, identityToHeaders, readSubgraphConfig, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, errorCodes, graphql, startTestNatsServer, TestDatabase, TestNatsServer, waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager, JetStreamManager, PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { build } from '../src/build';
import { ShopOrder } from '../src/domain/shop-order';
import { ShopProduct } from '../src/domain/shop-product';

const admin = identityToHeaders({ userId: 'u-admin', email: 'admin@example.com', roles: ['admin'] });
const customer = identityToHeaders({ userId: 'u-1', email: 'ann@example.com', roles: ['customer'] });

const ENTITIES = /* GraphQL */ `
  query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id slug } } }
`;

function productEvent(name: string, sku: string): EventEnvelope {
  const productId = newEventId();
  return productCreated.create(productId, { productId, sku, name, price: { amount: 1250, currency: 'USD' }, initialStock: 3 }, {
    correlationId: productId,
    causationId: null,
    traceparent: null,
  });
}

describe.each(['sqlite', 'postgres'] as const)('legacy shop on %s', (kind) => {
  let nats: TestNatsServer;
  let db: TestDatabase;
  let subgraph: SubgraphHandle;
  let producer: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: EventPublisher;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    db = await createTestDatabase(kind, 'strangle_legacy_shop');
    producer = await connectNats({ url: nats.url, name: 'producers-in-test', logger: createLogger('producers-in-test', 'warn') });
    jsm = await jetstreamManager(producer);
    // products and orders own these streams and create them when they start; the shop's consumers need them.
    await ensureStream(jsm, domainStreamConfig('products'));
    await ensureStream(jsm, domainStreamConfig('orders'));
    publisher = new EventPublisher(jetstream(producer));
    const config = readSubgraphConfig('legacy-shop', 0, { NATS_URL: nats.url, LOG_LEVEL: 'silent' });
    subgraph = await build({ ...config, port: 0, database: db.target });
  });

  afterAll(async () => {
    await subgraph?.stop();
    await producer?.close();
    await db?.drop();
    await nats?.dispose();
  });

  const handled = async (ack: PubAck) => {
    await waitFor(async () => (await jsm.consumers.info(ack.stream, 'legacy-shop')).ack_floor.stream_seq >= ack.seq, {
      what: `the shop to handle ${ack.stream} message ${ack.seq}`,
    });
  };

  it("keeps a row for each product products announces, with the slug of the old shop's link rule", async () => {
    const event = productEvent('Blue Mug (large)', 'MUG-7');
    await handled(await publisher.publish(event));

    const res = await graphql(subgraph.url, '{ legacyProducts(first: 5) { id slug } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.legacyProducts).toContainEqual({ id: event.aggregateId, slug: 'blue-mug-large-mug-7' });
  });

  it('resolves Product.slug by reference in one query, and a product it has not heard of to a null slug, not an error', async () => {
    const event = productEvent('Tea Pot', 'POT-1');
    await handled(await publisher.publish(event));

    const res = await graphql(subgraph.url, ENTITIES, {
      representations: [
        { __typename: 'Product', id: event.aggregateId },
        { __typename: 'Product', id: 'not-yet-heard-of' },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { id: event.aggregateId, slug: 'tea-pot-pot-1' },
      { id: 'not-yet-heard-of', slug: null },
    ]);
  });

  it('applies a product event once, even when it arrives again under another message id', async () => {
    const event = productEvent('Spoon', 'SPN-1');
    await handled(await publisher.publish(event));
    const again = await jetstream(producer).publish(event.type, new TextEncoder().encode(JSON.stringify(event)), { msgID: `${event.id}-again` });
    expect(again.duplicate).toBe(false);
    await handled(again);
    expect(await subgraph.orm.em.fork().count(ShopProduct, { id: event.aggregateId })).toBe(1);
  });

  it('lists placed orders to admins only', async () => {
    const orderId = newEventId();
    const placed = orderPlaced.create(
      orderId,
      { orderId, customerId: 'u-1', items: [{ productId: 'p-1', quantity: 2, unitPrice: { amount: 500, currency: 'USD' } }], total: { amount: 1000, currency: 'USD' } },
      { correlationId: orderId, causationId: null, traceparent: null },
    );
    await handled(await publisher.publish(placed));
    expect(await subgraph.orm.em.fork().findOne(ShopOrder, { id: orderId })).toMatchObject({ customerId: 'u-1', totalAmount: 1000, itemCount: 2 });

    const asAdmin = await graphql(subgraph.url, '{ legacyOrders { id } }', {}, admin);
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data.legacyOrders).toEqual([{ id: orderId }]);
    expect(errorCodes(await graphql(subgraph.url, '{ legacyOrders { id } }', {}, customer))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(subgraph.url, '{ legacyOrders { id } }'))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a page size over the limit with a clear error', async () => {
    const res = await graphql(subgraph.url, '{ legacyProducts(first: 100000) { id } }');
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });
});
