import { MikroORM } from '@mikro-orm/core';
import { connectNats, domainStreamConfig, ensureStream, EventPublisher, productCreated } from '@ficus/events';
import { createTestDatabase, startTestNatsServer, TestDatabase, TestNatsServer } from '@ficus/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
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
  let handedOver: string[] = [];

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connectNats({ url: nats.url, name: 'commit-listener-test', logger });
    await ensureStream(await jetstreamManager(nc), domainStreamConfig('products'));
    db = await createTestDatabase(kind, 'commits');
    orm = await openDatabase({ target: db.target, entities: [], migrations: [], logger, subscribers: [commits] });
    commits.onCommit((committed) => {
      wakeUps += 1;
      handedOver.push(...committed.map((e) => e.aggregateId));
    });
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
    await nc?.close();
    await nats?.dispose();
  });

  beforeEach(() => {
    wakeUps = 0;
    handedOver = [];
  });

  const event = (sku: string) =>
    productCreated.create(sku, { productId: sku, sku, name: sku, price: { amount: 1, currency: 'USD' }, initialStock: 0 });

  it('wakes the relay once when a transaction commits events', async () => {
    await orm.em.fork().transactional(async (em) => {
      recordEvent(em, event('WAKE-1'));
      recordEvent(em, event('WAKE-2'));
    });
    expect(wakeUps).toBe(1);
    expect(handedOver).toEqual(['WAKE-1', 'WAKE-2']);
  });

  it('hands over the events of a flush outside a transaction once it is written', async () => {
    const em = orm.em.fork();
    recordEvent(em, event('IMPLICIT'));
    await em.flush();
    expect(handedOver).toEqual(['IMPLICIT']);
  });

  it('hands over only the events of the transaction that committed, not those of one still open', async () => {
    let commitSecond: () => void = () => undefined;
    const secondMayCommit = new Promise<void>((resolve) => (commitSecond = resolve));
    let secondFlushed: () => void = () => undefined;
    const flushedSecond = new Promise<void>((resolve) => (secondFlushed = resolve));
    const second = orm.em.fork().transactional(async (em) => {
      recordEvent(em, event('SECOND'));
      await em.flush();
      secondFlushed();
      await secondMayCommit;
    });
    await flushedSecond;
    // SQLite has one connection: the first transaction could not begin while the second holds it.
    if (kind === 'postgres') {
      await orm.em.fork().transactional(async (em) => recordEvent(em, event('FIRST')));
      expect(handedOver).toEqual(['FIRST']);
    }
    commitSecond();
    await second;
    expect(handedOver).toEqual(kind === 'postgres' ? ['FIRST', 'SECOND'] : ['SECOND']);
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
    expect(handedOver).toEqual([]);
  });

  it('is not woken by its own work, so it never spins', async () => {
    const em = orm.em.fork();
    recordEvent(em, event('RELAYED'));
    await em.flush();
    wakeUps = 0;
    const relay = new OutboxRelay(orm, new EventPublisher(jetstream(nc)), logger, { lockRows: kind === 'postgres' });
    expect(await relay.relayBatch()).not.toBe('failed');
    expect(await relay.relayBatch()).toBe('empty');
    expect(wakeUps).toBe(0);
  });
});
