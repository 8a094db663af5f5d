import { MikroORM } from '@mikro-orm/core';
import { connectNats, domainStreamConfig, ensureStream, EventPublisher, on, productCreated } from '@ficus/events';
import { createTestDatabase, startTestNatsServer, TestDatabase, TestNatsServer, waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { handleOnce, InboxEntry, openDatabase, OutboxEvent, OutboxRelay, recordEvent } from '../src';

const logger = pino({ level: 'silent' });

const productEvent = (sku: string) =>
  productCreated.create(sku, { productId: sku, sku, name: sku, price: { amount: 100, currency: 'USD' }, initialStock: 1 });

describe.each(['sqlite', 'postgres'] as const)('the transactional outbox on %s', (kind) => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connectNats({ url: nats.url, name: 'outbox-test', logger });
    await ensureStream(await jetstreamManager(nc), domainStreamConfig('products'));
    db = await createTestDatabase(kind, 'outbox');
    orm = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
    await nc?.close();
    await nats?.dispose();
  });

  it('writes nothing when the transaction that recorded the event rolls back', async () => {
    await expect(
      orm.em.fork().transactional(async (em) => {
        recordEvent(em, productEvent('ROLLED-BACK'));
        await em.flush();
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await orm.em.fork().count(OutboxEvent, { aggregateId: 'ROLLED-BACK' })).toBe(0);
  });

  it('keeps events while NATS is down and publishes them, once each, when it is back', async () => {
    const relay = new OutboxRelay(orm, new EventPublisher(jetstream(nc), 500), logger, {
      lockRows: kind === 'postgres',
      minBackoffMs: 50,
      maxBackoffMs: 200,
    });
    await nats.stop();
    const event = productEvent('DURING-OUTAGE');
    const em = orm.em.fork();
    recordEvent(em, event);
    await em.flush();

    expect(await relay.relayBatch()).toBe('failed');
    const row = await orm.em.fork().findOneOrFail(OutboxEvent, { id: event.id });
    expect(row.publishedAt).toBeNull();
    expect(row.attempts).toBe(1);
    expect(row.lastError).toBeTruthy();

    relay.start();
    await nats.start();
    await waitFor(async () => (await orm.em.fork().findOneOrFail(OutboxEvent, { id: event.id })).publishedAt, {
      timeoutMs: 30_000,
      what: 'the relay to publish after NATS came back',
    });
    await relay.stop();

    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage('PRODUCTS', { last_by_subj: 'products.product.created' });
    expect(stored?.json<{ id: string }>().id).toBe(event.id);
    // A timed-out publish may have reached the server before the retry: de-duplication keeps one copy.
    const info = await jsm.streams.info('PRODUCTS');
    expect(info.state.messages).toBe(1);
  });

  it("publishes each aggregate's events in the order they were recorded", async () => {
    const relay = new OutboxRelay(orm, new EventPublisher(jetstream(nc)), logger, { lockRows: kind === 'postgres' });
    const em = orm.em.fork();
    const recorded = ['ORDERED-A', 'ORDERED-B', 'ORDERED-A', 'ORDERED-B', 'ORDERED-A'].map((sku) => {
      const event = productEvent(sku);
      recordEvent(em, event);
      return event;
    });
    await em.flush();
    expect(await relay.relayBatch()).toBe('partial');

    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info('PRODUCTS');
    const stored: { id: string; aggregateId: string }[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      stored.push((await jsm.streams.getMessage('PRODUCTS', { seq }))!.json());
    }
    for (const aggregate of ['ORDERED-A', 'ORDERED-B']) {
      const ids = (events: { id: string; aggregateId: string }[]) => events.filter((e) => e.aggregateId === aggregate).map((e) => e.id);
      expect(ids(stored)).toEqual(ids(recorded));
    }
  });

  it("holds back the rest of an aggregate's events after a failed publish, and still publishes other aggregates'", async () => {
    const sent: string[] = [];
    let failing: string | null = 'HELD-A';
    const publisher = {
      async publish(envelope: { id: string; aggregateId: string }) {
        if (envelope.aggregateId === failing) throw new Error('broker refused');
        sent.push(envelope.id);
        return { seq: sent.length, duplicate: false, stream: 'PRODUCTS', domain: '' };
      },
    } as unknown as EventPublisher;
    const relay = new OutboxRelay(orm, publisher, logger, { lockRows: kind === 'postgres' });
    const em = orm.em.fork();
    const [a1, b1, a2] = ['HELD-A', 'HELD-B', 'HELD-A'].map((sku) => {
      const event = productEvent(sku);
      recordEvent(em, event);
      return event;
    });
    await em.flush();

    expect(await relay.relayBatch()).toBe('failed');
    expect(sent).toEqual([b1!.id]);
    const row = (id: string) => orm.em.fork().findOneOrFail(OutboxEvent, { id });
    expect(await row(a1!.id)).toMatchObject({ publishedAt: null, attempts: 1 });
    expect(await row(a2!.id)).toMatchObject({ publishedAt: null, attempts: 0 });
    expect((await row(b1!.id)).publishedAt).not.toBeNull();

    failing = null;
    expect(await relay.relayBatch()).toBe('partial');
    expect(sent).toEqual([b1!.id, a1!.id, a2!.id]);
    expect((await row(a2!.id)).publishedAt).not.toBeNull();
  });

  it('runs an event handler once, however often the event is delivered', async () => {
    let applied = 0;
    const handler = handleOnce(orm, 'test-consumer', productCreated, async () => {
      applied += 1;
    });
    const event = productEvent('REDELIVERED');
    const delivery = { attempt: 1, logger };
    await handler.handle(event, delivery);
    await handler.handle(event, { ...delivery, attempt: 2 });
    expect(applied).toBe(1);
    expect(await orm.em.fork().count(InboxEntry, { eventId: event.id })).toBe(1);
    expect(on(productCreated, handler.handle).contract).toBe(productCreated);
  });

  it('runs an event handler once when two deliveries of the event arrive at the same time', async () => {
    let applied = 0;
    const handler = handleOnce(orm, 'test-consumer', productCreated, async () => {
      applied += 1;
    });
    const event = productEvent('CONCURRENT');
    await Promise.all([handler.handle(event, { attempt: 1, logger }), handler.handle(event, { attempt: 2, logger })]);
    expect(applied).toBe(1);
    expect(await orm.em.fork().count(InboxEntry, { eventId: event.id })).toBe(1);
  });
});
