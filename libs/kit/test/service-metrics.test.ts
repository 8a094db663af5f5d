import { MikroORM } from '@mikro-orm/core';
import { connectNats, domainStreamConfig, ensureStream, EventPublisher, productCreated } from '@ficus/events';
import { createTestDatabase, startTestNatsServer, TestDatabase, TestNatsServer, waitFor } from '@ficus/testkit';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { openDatabase, OutboxRelay, recordEvent, registerConsumerLag, registerOutboxMetrics, ServiceMetrics, traceIdOfTraceparent } from '../src';

const logger = pino({ level: 'silent' });

const productEvent = (sku: string, occurredAt: Date) => ({
  ...productCreated.create(sku, { productId: sku, sku, name: sku, price: { amount: 100, currency: 'USD' }, initialStock: 1 }),
  occurredAt: occurredAt.toISOString(),
});

/** The value of the one sample of `name` in the registry's text. */
async function valueOf(metrics: ServiceMetrics, name: string): Promise<number> {
  const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${name}{`));
  if (!line) throw new Error(`no sample of ${name}`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

let nats: TestNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startTestNatsServer();
  nc = await connectNats({ url: nats.url, name: 'service-metrics-test', logger });
  await ensureStream(await jetstreamManager(nc), domainStreamConfig('products'));
});

afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

describe.each(['sqlite', 'postgres'] as const)('the outbox gauges on %s', (kind) => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase(kind, 'outbox_metrics');
    orm = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it('shows the unpublished rows and the age of the oldest, and zero for both once the relay has published them', async () => {
    const metrics = new ServiceMetrics('outbox-metrics-test');
    registerOutboxMetrics(metrics, orm);
    const em = orm.em.fork();
    recordEvent(em, productEvent(`OLD-${kind}`, new Date(Date.now() - 90_000)));
    recordEvent(em, productEvent(`NEW-${kind}`, new Date()));
    await em.flush();

    expect(await valueOf(metrics, 'outbox_backlog_events')).toBe(2);
    const age = await valueOf(metrics, 'outbox_oldest_event_age_seconds');
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);

    const relay = new OutboxRelay(orm, new EventPublisher(jetstream(nc)), logger, { lockRows: kind === 'postgres' });
    expect(await relay.relayBatch()).toBe('partial');
    // The gauges share one read for up to a second: a later scrape reads again.
    await waitFor(async () => (await valueOf(metrics, 'outbox_backlog_events')) === 0, { what: 'the backlog to read empty' });
    expect(await valueOf(metrics, 'outbox_oldest_event_age_seconds')).toBe(0);
  });
});

describe('the consumer lag gauge and the dead-letter counter', () => {
  it("reads the durable consumer's num_pending from JetStream at scrape time", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add('PRODUCTS', { durable_name: 'lag-test', ack_policy: AckPolicy.Explicit, filter_subject: 'products.>' });
    const metrics = new ServiceMetrics('lag-test');
    registerConsumerLag(metrics, nc, 'lag-test', ['PRODUCTS']);
    const before = await valueOf(metrics, 'messaging_consumer_lag_messages');
    const publisher = new EventPublisher(jetstream(nc));
    for (const sku of ['LAG-1', 'LAG-2', 'LAG-3']) await publisher.publish(productEvent(sku, new Date()));
    expect(await valueOf(metrics, 'messaging_consumer_lag_messages')).toBe(before + 3);
    expect((await metrics.registry.metrics())).toContain('messaging_destination_name="PRODUCTS",messaging_consumer_group_name="lag-test"');
  });

  it('counts a dead-lettered delivery by stream and event type, and no other outcome', async () => {
    const metrics = new ServiceMetrics('dead-letter-test');
    const observer = metrics.deliveryObserver();
    observer.delivered('handled', { stream: 'ORDERS', eventType: 'orders.order.placed', durationMs: 3 });
    observer.delivered('dead-lettered', { stream: 'ORDERS', eventType: 'orders.order.placed', durationMs: 1 });
    expect(await valueOf(metrics, 'messaging_dead_letters_total')).toBe(1);
  });
});

describe('the trace id of a traceparent', () => {
  it('is the second field of a well-formed header, and null for a malformed or all-zero one', () => {
    expect(traceIdOfTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdOfTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(traceIdOfTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeNull();
    expect(traceIdOfTraceparent(undefined)).toBeNull();
  });
});
