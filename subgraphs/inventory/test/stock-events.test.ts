import type { EventEnvelope } from '@ficus/events';
import { waitFor } from '@ficus/testkit';
import { MAX_UNITS, StockLevel } from '../src/domain/stock-level';
import { jetstream } from '@nats-io/jetstream';
import { InventoryHarness, productCreatedEvent, startInventory } from './inventory-harness';

describe.each(['sqlite', 'postgres'] as const)('inventory consuming product events on %s', (kind) => {
  let inventory: InventoryHarness;

  beforeAll(async () => {
    inventory = await startInventory(kind, { maxDeliver: 2, backoffMs: [50] });
  });

  afterAll(async () => {
    await inventory?.stop();
  });

  const publish = (event: EventEnvelope) => inventory.products.publisher.publish(event);

  it('opens the stock of a new product at its initial stock and announces it on the INVENTORY stream', async () => {
    const event = productCreatedEvent({ initialStock: 12 });
    await publish(event);
    const productId = event.aggregateId;

    const level = await waitFor(() => inventory.stockLevel(productId), { what: 'the stock row' });
    expect(level).toMatchObject({ productId, available: 12, reserved: 0 });
    const published = await waitFor(async () => (await inventory.publishedStockChanges(productId)).at(0), {
      what: 'inventory.stock.changed in the INVENTORY stream',
    });
    expect(published).toEqual({ productId, available: 12, reserved: 0, reason: 'INITIAL' });
  });

  it('applies a product.created event once, even when it arrives again under another message id', async () => {
    const event = productCreatedEvent({ initialStock: 4 });
    await inventory.waitUntilHandled(await publish(event));

    // Another Nats-Msg-Id, so JetStream's de-duplication lets it through and only the inbox can stop it.
    const again = await jetstream(inventory.products.nats).publish(event.type, new TextEncoder().encode(JSON.stringify(event)), { msgID: `${event.id}-again` });
    expect(again.duplicate).toBe(false);
    await inventory.waitUntilHandled(again);

    expect((await inventory.stockLevel(event.aggregateId))?.available).toBe(4);
    expect(await inventory.recordedStockChanges(event.aggregateId)).toBe(1);
    await inventory.waitUntilRelayed(event.aggregateId);
    expect(await inventory.publishedStockChanges(event.aggregateId)).toHaveLength(1);
  });

  it('adds the initial stock to a row that already exists instead of losing either', async () => {
    const event = productCreatedEvent({ initialStock: 5 });
    const em = inventory.subgraph.orm.em.fork();
    await em.persistAndFlush(em.create(StockLevel, { productId: event.aggregateId, available: 3, reserved: 1, version: 1, updatedAt: new Date() }));

    await inventory.waitUntilHandled(await publish(event));

    expect(await inventory.stockLevel(event.aggregateId)).toMatchObject({ available: 8, reserved: 1 });
    await inventory.waitUntilRelayed(event.aggregateId);
    expect(await inventory.publishedStockChanges(event.aggregateId)).toEqual([
      { productId: event.aggregateId, available: 8, reserved: 1, reason: 'INITIAL' },
    ]);
  });

  it('dead-letters an event whose data breaks the contract, without applying it', async () => {
    const valid = productCreatedEvent();
    const broken = { ...valid, data: { ...(valid.data as object), initialStock: -1 } };

    const ack = await publish(broken);
    const deadLetter = await inventory.deadLetterOf(ack);

    expect(deadLetter.subject).toBe('deadletter.PRODUCTS.inventory');
    expect(deadLetter.header.get('x-dead-letter-reason')).toMatch(/initialStock/);
    expect(deadLetter.header.get('x-delivery-count')).toBe('1');
    expect(deadLetter.json<EventEnvelope>().id).toBe(broken.id);
    expect(await inventory.stockLevel(broken.aggregateId)).toBeNull();
  });

  it('retries a handler that keeps failing, then dead-letters the event and leaves the stock as it was', async () => {
    // A row so full that the declared stock cannot be added: every attempt fails the same way.
    const event = productCreatedEvent({ initialStock: 11 });
    const em = inventory.subgraph.orm.em.fork();
    await em.persistAndFlush(em.create(StockLevel, { productId: event.aggregateId, available: MAX_UNITS - 10, reserved: 0, version: 1, updatedAt: new Date() }));

    const deadLetter = await inventory.deadLetterOf(await publish(event));

    expect(deadLetter.header.get('x-delivery-count')).toBe('2');
    expect(deadLetter.header.get('x-dead-letter-reason')).toMatch(/would exceed/);
    expect((await inventory.stockLevel(event.aggregateId))?.available).toBe(MAX_UNITS - 10);
    expect(await inventory.recordedStockChanges(event.aggregateId)).toBe(0);
  });
});
