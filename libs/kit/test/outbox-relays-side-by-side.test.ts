import { MikroORM } from '@mikro-orm/core';
import { connectNats, domainStreamConfig, ensureStream, EventEnvelope, EventPublisher, productCreated } from '@ficus/events';
import { createTestDatabase, startTestNatsServer, TestDatabase, TestNatsServer, waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { OutboxEvent, OutboxRelay, openDatabase, recordEvent } from '../src';

const logger = pino({ level: 'silent' });

const productEvent = (sku: string) =>
  productCreated.create(sku, { productId: sku, sku, name: sku, price: { amount: 100, currency: 'USD' }, initialStock: 1 });

/** A publisher that holds every publish until `release()`, so a relay can be caught in the middle of its batch. */
class HeldPublisher {
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));
  held = 0;

  constructor(private readonly publisher: EventPublisher) {}

  async publish(envelope: EventEnvelope) {
    this.held += 1;
    await this.gate;
    return this.publisher.publish(envelope);
  }

  release(): void {
    this.opened();
  }
}

// Two replicas of a service share one outbox table on PostgreSQL (SQLite is one process per file).
describe('two outbox relays on one PostgreSQL outbox', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let db: TestDatabase;
  let ormA: MikroORM;
  let ormB: MikroORM;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connectNats({ url: nats.url, name: 'outbox-relays-test', logger });
    await ensureStream(await jetstreamManager(nc), domainStreamConfig('products'));
    db = await createTestDatabase('postgres', 'outbox_relays');
    // One pool each, as two processes would have.
    ormA = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
    ormB = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
  });

  afterAll(async () => {
    await ormA?.close();
    await ormB?.close();
    await db?.drop();
    await nc?.close();
    await nats?.dispose();
  });

  it('publish each event exactly once, and one relay holding its batch does not stop the other', async () => {
    const em = ormA.em.fork();
    // The first batch's aggregates have no later events, so only A's claim on them could hold B back.
    const recorded = Array.from({ length: 40 }, (_, i) => {
      const event = productEvent(i < 10 ? `CLAIMED-BY-A-${i % 3}` : `SIDE-BY-SIDE-${i % 7}`);
      recordEvent(em, event);
      return event;
    });
    await em.flush();

    const held = new HeldPublisher(new EventPublisher(jetstream(nc)));
    const relayA = new OutboxRelay(ormA, held as unknown as EventPublisher, logger, { lockRows: true, batchSize: 10 });
    const relayB = new OutboxRelay(ormB, new EventPublisher(jetstream(nc)), logger, { lockRows: true, batchSize: 10 });

    // A claims a batch and stays inside its transaction, its publishes held.
    const batchA = relayA.relayBatch();
    await waitFor(() => held.held > 0, { timeoutMs: 10_000, what: 'relay A to claim a batch' });

    // B skips A's locked rows and relays all the others meanwhile.
    const outcomesB: string[] = [];
    for (let outcome = ''; outcome !== 'empty'; ) {
      outcome = await relayB.relayBatch();
      outcomesB.push(outcome);
    }
    const unpublishedWhileAHolds = await ormB.em.fork().count(OutboxEvent, { publishedAt: null });

    held.release();
    expect(await batchA).toBe('full');

    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info('PRODUCTS');
    const published: string[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      published.push((await jsm.streams.getMessage('PRODUCTS', { seq }))!.json<{ id: string }>().id);
    }
    expect(outcomesB.filter((outcome) => outcome === 'full')).toHaveLength(3);
    expect(unpublishedWhileAHolds).toBe(10);
    expect(published.sort()).toEqual(recorded.map((event) => event.id).sort());
    expect(await ormA.em.fork().count(OutboxEvent, { publishedAt: null })).toBe(0);
  });

  it("keep each aggregate's events in order when the other relay holds its earlier ones", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge('PRODUCTS');
    const em = ormA.em.fork();
    const recorded = ['ORDER-X', 'ORDER-X', 'ORDER-Y', 'ORDER-X', 'ORDER-Y'].map((sku) => {
      const event = productEvent(sku);
      recordEvent(em, event);
      return event;
    });
    await em.flush();
    const held = new HeldPublisher(new EventPublisher(jetstream(nc)));
    const relayA = new OutboxRelay(ormA, held as unknown as EventPublisher, logger, { lockRows: true, batchSize: 2 });
    const relayB = new OutboxRelay(ormB, new EventPublisher(jetstream(nc)), logger, { lockRows: true, batchSize: 10 });

    // A holds ORDER-X's first two events; B may relay ORDER-Y but not ORDER-X's third.
    const batchA = relayA.relayBatch();
    await waitFor(() => held.held > 0, { timeoutMs: 10_000, what: 'relay A to claim a batch' });
    await relayB.relayBatch();
    const publishedWhileAHolds = (await jsm.streams.info('PRODUCTS')).state.messages;
    held.release();
    await batchA;
    while ((await relayB.relayBatch()) !== 'empty');

    const { state } = await jsm.streams.info('PRODUCTS');
    const stored: { id: string; aggregateId: string }[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) stored.push((await jsm.streams.getMessage('PRODUCTS', { seq }))!.json());
    const ids = (events: { id: string; aggregateId: string }[], aggregate: string) => events.filter((e) => e.aggregateId === aggregate).map((e) => e.id);
    expect(publishedWhileAHolds).toBe(2);
    expect(ids(stored, 'ORDER-X')).toEqual(ids(recorded, 'ORDER-X'));
    expect(ids(stored, 'ORDER-Y')).toEqual(ids(recorded, 'ORDER-Y'));
  });

  it('publish each event exactly once, each aggregate in order, when both run their loops over the same rows', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge('PRODUCTS');
    const em = ormA.em.fork();
    const recorded = Array.from({ length: 300 }, (_, i) => {
      const event = productEvent(`RACING-${i % 11}`);
      recordEvent(em, event);
      return event;
    });
    await em.flush();

    const relayA = new OutboxRelay(ormA, new EventPublisher(jetstream(nc)), logger, { lockRows: true, batchSize: 5, pollIntervalMs: 50 });
    const relayB = new OutboxRelay(ormB, new EventPublisher(jetstream(nc)), logger, { lockRows: true, batchSize: 5, pollIntervalMs: 50 });
    relayA.start();
    relayB.start();
    await waitFor(async () => (await ormA.em.fork().count(OutboxEvent, { publishedAt: null })) === 0, {
      timeoutMs: 30_000,
      what: 'both relays to empty the outbox',
    });
    await Promise.all([relayA.stop(), relayB.stop()]);

    const { state } = await jsm.streams.info('PRODUCTS');
    const published: { id: string; aggregateId: string }[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) published.push((await jsm.streams.getMessage('PRODUCTS', { seq }))!.json());
    const byAggregate = (events: { id: string; aggregateId: string }[]) => {
      const chains = new Map<string, string[]>();
      for (const event of events) chains.set(event.aggregateId, [...(chains.get(event.aggregateId) ?? []), event.id]);
      return Object.fromEntries([...chains].sort(([a], [b]) => a.localeCompare(b)));
    };
    // Counted in the stream itself, so a duplicate would show even if the de-duplication window dropped it from the acks.
    expect(state.messages).toBe(recorded.length);
    expect(byAggregate(published)).toEqual(byAggregate(recorded));
  });
});
