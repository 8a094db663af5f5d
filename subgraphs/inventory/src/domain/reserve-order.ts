import { EntityManager, raw } from '@mikro-orm/core';
import { EventOrigin, stockRejected, stockReserved } from '@ficus/events';
import { recordEvent } from '@ficus/kit';
import { announceStockChanges } from './announce-stock-change';
import { HoldStatus, OrderHold } from './order-hold';
import { Reservation, StockLine } from './reservation';
import { nextVersion, StockLevel } from './stock-level';

export interface OrderToReserve {
  orderId: string;
  items: readonly StockLine[];
}

export type ReservationOutcome =
  | { kind: 'reserved'; items: StockLine[] }
  | { kind: 'rejected'; shortProductIds: string[] }
  /** Inventory had already decided about this order (a cancellation may have come first). */
  | { kind: 'already-decided'; status: HoldStatus };

/**
 * Holds every item of an order or none, in the caller's transaction, and records the
 * outcome with its events: `inventory.stock.reserved` and one `inventory.stock.changed`
 * (RESERVATION) per product, or `inventory.stock.rejected` naming the short products.
 */
export async function reserveOrder(em: EntityManager, order: OrderToReserve, origin: EventOrigin): Promise<ReservationOutcome> {
  const { orderId } = order;
  const decided = await em.findOne(OrderHold, { orderId });
  if (decided) return { kind: 'already-decided', status: decided.status };

  const lines = mergeLines(order.items);
  const updatedAt = new Date();
  const shortProductIds = await holdAllOrNone(em, lines, updatedAt);
  if (shortProductIds.length > 0) {
    em.create(OrderHold, { orderId, status: 'REJECTED', updatedAt });
    recordEvent(em, stockRejected.create(orderId, { orderId, reason: 'OUT_OF_STOCK', productIds: shortProductIds }, origin));
    return { kind: 'rejected', shortProductIds };
  }

  em.create(OrderHold, { orderId, status: 'RESERVED', updatedAt });
  for (const line of lines) em.create(Reservation, { orderId, ...line, status: 'RESERVED', updatedAt });
  recordEvent(em, stockReserved.create(orderId, { orderId, items: lines }, origin));
  await announceStockChanges(em, lines.map((line) => line.productId), 'RESERVATION', origin);
  return { kind: 'reserved', items: lines };
}

/**
 * One line per product (an order may name a product twice), sorted by product id so that
 * concurrent reservations lock stock rows in the same order and cannot deadlock.
 */
function mergeLines(items: readonly StockLine[]): StockLine[] {
  const quantities = new Map<string, number>();
  for (const { productId, quantity } of items) quantities.set(productId, (quantities.get(productId) ?? 0) + quantity);
  return [...quantities]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

class ShortOfStock extends Error {
  constructor(readonly productIds: string[]) {
    super(`short of stock for ${productIds.join(', ')}`);
  }
}

/**
 * Moves each line's units from available to reserved with a conditional UPDATE
 * (`available >= quantity`), which the database serialises per row, so two orders racing
 * for the last unit cannot both get it. Inside a savepoint: if any product is short
 * (or unknown), every line is rolled back. Returns the short product ids.
 */
async function holdAllOrNone(em: EntityManager, lines: StockLine[], updatedAt: Date): Promise<string[]> {
  try {
    await em.transactional(async (savepoint) => {
      const short: string[] = [];
      for (const { productId, quantity } of lines) {
        const held = await savepoint.nativeUpdate(
          StockLevel,
          { productId, available: { $gte: quantity } },
          { available: raw('available - ?', [quantity]), reserved: raw('reserved + ?', [quantity]), version: nextVersion(), updatedAt },
        );
        if (held === 0) short.push(productId);
      }
      if (short.length > 0) throw new ShortOfStock(short);
    });
    return [];
  } catch (err) {
    if (err instanceof ShortOfStock) return err.productIds;
    throw err;
  }
}
