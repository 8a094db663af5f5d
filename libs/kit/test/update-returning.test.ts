import { MikroORM } from '@mikro-orm/core';
import { productCreated } from '@ficus/events';
import { createTestDatabase, TestDatabase } from '@ficus/testkit';
import pino from 'pino';
import { openDatabase, OutboxEvent, recordEvent, updateReturning } from '../src';

const logger = pino({ level: 'silent' });

describe.each(['sqlite', 'postgres'] as const)('updateReturning on %s', (kind) => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase(kind, 'update_returning');
    orm = await openDatabase({ target: db.target, entities: [], migrations: [], logger });
  });

  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it('moves a row only while its guards hold, and returns it as it now stands', async () => {
    const event = productCreated.create('SKU', { productId: 'SKU', sku: 'SKU', name: 'n', price: { amount: 1, currency: 'USD' }, initialStock: 0 });
    const writer = orm.em.fork();
    recordEvent(writer, event);
    await writer.flush();

    const em = orm.em.fork();
    const stale = await em.findOneOrFail(OutboxEvent, { id: event.id });
    const publishedAt = new Date('2026-01-02T03:04:05.678Z');
    const moved = await updateReturning(em, OutboxEvent, { id: event.id, attempts: 0 }, { publishedAt, attempts: 1, lastError: null });
    expect(moved).toBe(stale);
    expect(moved).toMatchObject({ id: event.id, attempts: 1, publishedAt, lastError: null, aggregateId: 'SKU' });
    expect(moved!.createdAt).toEqual(new Date(event.occurredAt));

    expect(await updateReturning(em, OutboxEvent, { id: event.id, attempts: 0 }, { attempts: 2 })).toBeNull();
    expect((await orm.em.fork().findOneOrFail(OutboxEvent, { id: event.id })).attempts).toBe(1);
  });
});
