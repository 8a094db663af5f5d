import { newEventId } from '@ficus/events';
import { reserveOrder } from '../src/domain/reserve-order';
import { InventoryHarness, startInventory } from './inventory-harness';

describe.each(['sqlite', 'postgres'] as const)('inventory reserving stock for orders on %s', (kind) => {
  let inventory: InventoryHarness;

  beforeAll(async () => {
    inventory = await startInventory(kind, { maxDeliver: 3, backoffMs: [50] });
  });

  afterAll(async () => {
    await inventory?.stop();
  });

  const level = async (productId: string) => {
    const row = await inventory.stockLevel(productId);
    return row && { available: row.available, reserved: row.reserved };
  };
  const stockChangesAfterOpening = async (productId: string) => {
    await inventory.waitUntilRelayed(productId);
    return (await inventory.publishedStockChanges(productId)).slice(1);
  };
  const publishedAbout = async (orderId: string) => {
    await inventory.waitUntilRelayed(orderId);
    return (await inventory.publishedAbout(orderId)).map((event) => ({ type: event.type, data: event.data }));
  };

  it('reserves every item of a placed order and announces the reservation and each stock change', async () => {
    const mug = await inventory.knownProduct(5);
    const pot = await inventory.knownProduct(3);
    const orderId = newEventId();

    await inventory.placeOrder(orderId, [
      { productId: mug, quantity: 2 },
      { productId: pot, quantity: 1 },
    ]);

    expect(await level(mug)).toEqual({ available: 3, reserved: 2 });
    expect(await level(pot)).toEqual({ available: 2, reserved: 1 });
    expect(await inventory.hold(orderId)).toMatchObject({ status: 'RESERVED' });
    expect((await inventory.reservations(orderId)).map(({ productId, quantity, status }) => ({ productId, quantity, status }))).toEqual(
      [
        { productId: mug, quantity: 2, status: 'RESERVED' },
        { productId: pot, quantity: 1, status: 'RESERVED' },
      ].sort((a, b) => a.productId.localeCompare(b.productId)),
    );
    const published = await publishedAbout(orderId);
    expect(published).toHaveLength(1);
    expect(published[0]!.type).toBe('inventory.stock.reserved');
    expect(published[0]!.data).toEqual({
      orderId,
      items: expect.arrayContaining([
        { productId: mug, quantity: 2 },
        { productId: pot, quantity: 1 },
      ]),
    });
    expect(await stockChangesAfterOpening(mug)).toEqual([{ productId: mug, available: 3, reserved: 2, reason: 'RESERVATION' }]);
    expect(await stockChangesAfterOpening(pot)).toEqual([{ productId: pot, available: 2, reserved: 1, reason: 'RESERVATION' }]);
  });

  it('adds up the lines of an order that names one product twice', async () => {
    const mug = await inventory.knownProduct(5);
    const orderId = newEventId();

    await inventory.placeOrder(orderId, [
      { productId: mug, quantity: 1 },
      { productId: mug, quantity: 3 },
    ]);

    expect(await level(mug)).toEqual({ available: 1, reserved: 4 });
    expect(await inventory.reservations(orderId)).toEqual([expect.objectContaining({ productId: mug, quantity: 4 })]);
  });

  it('reserves nothing when one item is short, and names the short and unknown products in the rejection', async () => {
    const plenty = await inventory.knownProduct(5);
    const scarce = await inventory.knownProduct(1);
    const unknown = newEventId();
    const orderId = newEventId();

    await inventory.placeOrder(orderId, [
      { productId: plenty, quantity: 2 },
      { productId: scarce, quantity: 2 },
      { productId: unknown, quantity: 1 },
    ]);

    expect(await level(plenty)).toEqual({ available: 5, reserved: 0 });
    expect(await level(scarce)).toEqual({ available: 1, reserved: 0 });
    expect(await inventory.stockLevel(unknown)).toBeNull();
    expect(await inventory.hold(orderId)).toMatchObject({ status: 'REJECTED' });
    expect(await inventory.reservations(orderId)).toEqual([]);
    const published = await publishedAbout(orderId);
    expect(published).toHaveLength(1);
    expect(published[0]!.type).toBe('inventory.stock.rejected');
    expect(published[0]!.data).toEqual({ orderId, reason: 'OUT_OF_STOCK', productIds: expect.any(Array) });
    expect([...(published[0]!.data as { productIds: string[] }).productIds].sort()).toEqual([scarce, unknown].sort());
    expect(await stockChangesAfterOpening(plenty)).toEqual([]);
    expect(await inventory.recordedStockChanges(plenty)).toBe(1);
  });

  it('turns a confirmed reservation into a sale: reserved goes back to 0 and available stays reduced', async () => {
    const mug = await inventory.knownProduct(5);
    const orderId = newEventId();
    await inventory.placeOrder(orderId, [{ productId: mug, quantity: 2 }]);

    await inventory.confirmOrder(orderId);

    expect(await level(mug)).toEqual({ available: 3, reserved: 0 });
    expect(await inventory.hold(orderId)).toMatchObject({ status: 'SOLD' });
    expect(await inventory.reservations(orderId)).toEqual([expect.objectContaining({ quantity: 2, status: 'SOLD' })]);
    expect(await stockChangesAfterOpening(mug)).toEqual([
      { productId: mug, available: 3, reserved: 2, reason: 'RESERVATION' },
      { productId: mug, available: 3, reserved: 0, reason: 'SALE' },
    ]);
  });

  it('releases a reservation when the order is cancelled, back into available stock', async () => {
    const mug = await inventory.knownProduct(5);
    const orderId = newEventId();
    await inventory.placeOrder(orderId, [{ productId: mug, quantity: 2 }]);

    await inventory.cancelOrder(orderId);

    expect(await level(mug)).toEqual({ available: 5, reserved: 0 });
    expect(await inventory.hold(orderId)).toMatchObject({ status: 'RELEASED' });
    expect(await inventory.reservations(orderId)).toEqual([expect.objectContaining({ quantity: 2, status: 'RELEASED' })]);
    expect(await stockChangesAfterOpening(mug)).toEqual([
      { productId: mug, available: 3, reserved: 2, reason: 'RESERVATION' },
      { productId: mug, available: 5, reserved: 0, reason: 'RELEASE' },
    ]);
  });

  it('leaves a tombstone for a cancellation that arrives before the placement, so the placement reserves and publishes nothing', async () => {
    const mug = await inventory.knownProduct(5);
    const orderId = newEventId();

    await inventory.cancelOrder(orderId);
    expect(await inventory.hold(orderId)).toMatchObject({ status: 'RELEASED' });
    await inventory.placeOrder(orderId, [{ productId: mug, quantity: 2 }]);

    expect(await level(mug)).toEqual({ available: 5, reserved: 0 });
    expect(await inventory.hold(orderId)).toMatchObject({ status: 'RELEASED' });
    expect(await inventory.reservations(orderId)).toEqual([]);
    expect(await inventory.recordedAbout(orderId)).toBe(0);
    expect(await inventory.recordedStockChanges(mug)).toBe(1);
  });

  it('changes nothing when placed, confirmed and cancelled events are delivered again', async () => {
    const mug = await inventory.knownProduct(5);
    const sold = newEventId();
    const released = newEventId();

    const placed = await inventory.placeOrder(sold, [{ productId: mug, quantity: 2 }]);
    await inventory.redeliver(placed);
    expect(await level(mug)).toEqual({ available: 3, reserved: 2 });

    const confirmed = await inventory.confirmOrder(sold);
    await inventory.redeliver(confirmed);
    await inventory.redeliver(placed);
    expect(await level(mug)).toEqual({ available: 3, reserved: 0 });

    const placedAgain = await inventory.placeOrder(released, [{ productId: mug, quantity: 1 }]);
    const cancelled = await inventory.cancelOrder(released);
    await inventory.redeliver(cancelled);
    await inventory.redeliver(placedAgain);
    expect(await level(mug)).toEqual({ available: 3, reserved: 0 });

    expect(await inventory.reservations(sold)).toEqual([expect.objectContaining({ quantity: 2, status: 'SOLD' })]);
    expect(await inventory.reservations(released)).toEqual([expect.objectContaining({ quantity: 1, status: 'RELEASED' })]);
    expect(await inventory.recordedAbout(sold)).toBe(1);
    expect(await inventory.recordedAbout(released)).toBe(1);
    expect((await stockChangesAfterOpening(mug)).map((change) => change.reason)).toEqual(['RESERVATION', 'SALE', 'RESERVATION', 'RELEASE']);
  });

  it('reserves an order once even when orders publishes its placement twice under different event ids', async () => {
    const mug = await inventory.knownProduct(5);
    const orderId = newEventId();

    await inventory.placeOrder(orderId, [{ productId: mug, quantity: 2 }]);
    await inventory.placeOrder(orderId, [{ productId: mug, quantity: 2 }]);

    expect(await level(mug)).toEqual({ available: 3, reserved: 2 });
    expect(await inventory.recordedAbout(orderId)).toBe(1);
  });

  it('ignores a confirmation for an order it never reserved, and a cancellation of a sold order', async () => {
    const mug = await inventory.knownProduct(5);
    const unknown = newEventId();
    await inventory.confirmOrder(unknown);
    expect(await inventory.hold(unknown)).toBeNull();

    const orderId = newEventId();
    await inventory.placeOrder(orderId, [{ productId: mug, quantity: 2 }]);
    await inventory.confirmOrder(orderId);
    await inventory.cancelOrder(orderId);

    expect(await level(mug)).toEqual({ available: 3, reserved: 0 });
    expect(await inventory.hold(orderId)).toMatchObject({ status: 'SOLD' });
    expect(await inventory.recordedStockChanges(mug)).toBe(3);
  });

  it('gives the last unit to exactly one of two orders published at once', async () => {
    const last = await inventory.knownProduct(1);
    const orders = [newEventId(), newEventId()];

    await Promise.all(orders.map((orderId) => inventory.placeOrder(orderId, [{ productId: last, quantity: 1 }])));

    expect(await level(last)).toEqual({ available: 0, reserved: 1 });
    const statuses = await Promise.all(orders.map(async (orderId) => (await inventory.hold(orderId))?.status));
    expect(statuses.sort()).toEqual(['REJECTED', 'RESERVED']);
  });

  it('lets exactly one of two concurrent reservations take the last unit, never going below zero', async () => {
    const last = await inventory.knownProduct(1);
    const orm = inventory.subgraph.orm;
    const reserve = () =>
      orm.em.fork().transactional((em) => reserveOrder(em, { orderId: newEventId(), items: [{ productId: last, quantity: 1 }] }, {}));

    const outcomes = await Promise.all([reserve(), reserve()]);

    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['rejected', 'reserved']);
    expect(await level(last)).toEqual({ available: 0, reserved: 1 });
  });

  it('hands out exactly the units there are when many orders reserve concurrently', async () => {
    const scarce = await inventory.knownProduct(3);
    const plenty = await inventory.knownProduct(100);
    const orm = inventory.subgraph.orm;
    // Both products in each order, listed in different orders: the rows are still locked in one order.
    const reserve = (i: number) => {
      const items = [
        { productId: scarce, quantity: 1 },
        { productId: plenty, quantity: 1 },
      ];
      return orm.em.fork().transactional((em) => reserveOrder(em, { orderId: newEventId(), items: i % 2 ? items : items.reverse() }, {}));
    };

    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => reserve(i)));

    expect(outcomes.filter((outcome) => outcome.kind === 'reserved')).toHaveLength(3);
    expect(outcomes.filter((outcome) => outcome.kind === 'rejected')).toHaveLength(5);
    expect(await level(scarce)).toEqual({ available: 0, reserved: 3 });
    expect(await level(plenty)).toEqual({ available: 97, reserved: 3 });
  });
});
