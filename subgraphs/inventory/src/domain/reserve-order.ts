import type { EntityManager } from '@mikro-orm/core';
import { EventOrigin, stockRejected, stockReserved } from '@ficus/events';
import { recordEvent } from '@ficus/kit';
import { announceStockChange } from './announce-stock-change';
import { moveStock } from './move-stock';
import { HoldStatus, OrderHold } from './order-hold';
import { Reservation, StockLine } from './reservation';
import type { StockFigures } from './stock-level';

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
  const updatedAt = new Date();
  if (!(await claimHold(em, orderId, updatedAt))) {
    const decided = await em.findOneOrFail(OrderHold, { orderId });
    return { kind: 'already-decided', status: decided.status };
  }

  const lines = mergeLines(order.items);
  const held = await holdAllOrNone(em, lines, updatedAt);
  if ('short' in held) {
    const shortProductIds = held.short;
    await em.nativeUpdate(OrderHold, { orderId }, { status: 'REJECTED', updatedAt });
    recordEvent(em, stockRejected.create(orderId, { orderId, reason: 'OUT_OF_STOCK', productIds: shortProductIds }, origin));
    return { kind: 'rejected', shortProductIds };
  }

  for (const line of lines) em.create(Reservation, { orderId, ...line, status: 'RESERVED', updatedAt });
  recordEvent(em, stockReserved.create(orderId, { orderId, items: lines }, origin));
  for (const level of held.levels) announceStockChange(em, level, 'RESERVATION', origin);
  return { kind: 'reserved', items: lines };
}

/**
 * Inserts the order's hold as RESERVED before any stock moves (a rejection then rewrites
 * it), or returns false when inventory has already decided about the order. One statement
 * instead of a read and a later insert; a cancellation's tombstone being written at the same
 * time is waited for on the key and then seen. Written first, it also keeps the contended
 * stock rows locked for less of the transaction.
 */
async function claimHold(em: EntityManager, orderId: string, updatedAt: Date): Promise<boolean> {
  const { affectedRows }: { affectedRows: number } = await em
    .getConnection()
    .execute(
      "insert into order_holds (order_id, status, updated_at) values (?, 'RESERVED', ?) on conflict do nothing",
      [orderId, updatedAt],
      'run',
      em.getTransactionContext(),
    );
  return affectedRows > 0;
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
 * for the last unit cannot both get it. If any product is short (or unknown), no line is
 * held: several lines run inside a savepoint that is rolled back; a single line needs none,
 * as its failed UPDATE changed nothing. Returns the levels as they now stand, in line order,
 * or the short product ids.
 */
async function holdAllOrNone(
  em: EntityManager,
  lines: StockLine[],
  updatedAt: Date,
): Promise<{ levels: StockFigures[] } | { short: string[] }> {
  if (lines.length === 1) {
    const level = await holdLine(em, lines[0]!, updatedAt);
    return level ? { levels: [level] } : { short: [lines[0]!.productId] };
  }
  try {
    return await em.transactional(async (savepoint) => {
      const levels: StockFigures[] = [];
      const short: string[] = [];
      for (const line of lines) {
        const level = await holdLine(savepoint, line, updatedAt);
        if (level) levels.push(level);
        else short.push(line.productId);
      }
      if (short.length > 0) throw new ShortOfStock(short);
      return { levels };
    });
  } catch (err) {
    if (err instanceof ShortOfStock) return { short: err.productIds };
    throw err;
  }
}

function holdLine(em: EntityManager, { productId, quantity }: StockLine, updatedAt: Date): Promise<StockFigures | null> {
  return moveStock(em, { productId, available: -quantity, reserved: quantity, guard: 'available', atLeast: quantity, updatedAt });
}
