import { MikroORM } from '@mikro-orm/core';
import { connectNats, domainStreamConfig, ensureStream, EventPublisher, productCreated } from '@ficus/events';
import { createTestDatabase, startTestNatsServer, TestDatabase, TestNatsServer } from '@ficus/testkit';
import { NatsConnection } from 'nats';
import pino from 'pino';
import { InboxEntry, openDatabase, OutboxRelay, recordEvent } from '../src';
import { CommitListener } from '../src/outbox/commit-listener';

const logger = pino({ level: 'silent' });

describe.each(['sqlite', 'postgres'] as const)('waking the outbox relay on %s', (kind) => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let db: TestDatabase;
  let orm: MikroORM;
  const commits = new CommitListener();
  let wakeUps = 0;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connectNats({ url: nats.url, name: 'commit-listener-test', logger });
    await ensureStream(await nc.jetstreamManager(), domainStreamConfig('products'));
    db = await createTestDatabase(kind, 'commits');
    orm = await openDatabase({ target: db.target, entities: [], migrations: [], logger, subscribers: [commits] });
    commits.onCommit(() => (wakeUps += 1));
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
    await nc?.close();
    await nats?.dispose();
  });

  beforeEach(() => {
    wakeUps = 0;
  });

  const event = (sku: string) =>
    productCreated.create(sku, { productId: sku, sku, name: sku, price: { amount: 1, currency: 'USD' }, initialStock: 0 });

  it('wakes the relay once when a transaction commits events', async () => {
    await orm.em.fork().transactional(async (em) => {
      recordEvent(em, event('WAKE-1'));
      recordEvent(em, event('WAKE-2'));
    });
    expect(wakeUps).toBe(1);
  });

  it('does not wake it for a transaction without events, nor for a rolled-back one', async () => {
    await orm.em.fork().transactional(async (em) => {
      em.persist(em.create(InboxEntry, { eventId: 'e-1', consumer: 'c', eventType: 't', handledAt: new Date() }));
    });
    await expect(
      orm.em.fork().transactional(async (em) => {
        recordEvent(em, event('ROLLED-BACK'));
        await em.flush();
        throw new Error('rule broken');
      }),
    ).rejects.toThrow('rule broken');
    expect(wakeUps).toBe(0);
  });

  it('is not woken by its own work, so it never spins', async () => {
    const em = orm.em.fork();
    recordEvent(em, event('RELAYED'));
    await em.flush();
    wakeUps = 0;
    const relay = new OutboxRelay(orm, new EventPublisher(nc.jetstream()), logger, { lockRows: kind === 'postgres' });
    expect(await relay.relayBatch()).not.toBe('failed');
    expect(await relay.relayBatch()).toBe('empty');
    expect(wakeUps).toBe(0);
  });
});
