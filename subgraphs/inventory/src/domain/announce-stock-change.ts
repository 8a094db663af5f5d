import type { EntityManager } from '@mikro-orm/core';
import { EventOrigin, stockChanged } from '@ficus/events';
import { recordEvent } from '@ficus/kit';
import { StockFigures, StockLevel } from './stock-level';

export type StockChangeReason = 'INITIAL' | 'RESTOCK' | 'RESERVATION' | 'RELEASE' | 'SALE';

/** Queues `inventory.stock.changed` in the caller's transaction, with the level as it now stands. */
export function announceStockChange(em: EntityManager, level: StockFigures, reason: StockChangeReason, origin: EventOrigin): void {
  const { productId, available, reserved, version } = level;
  recordEvent(em, stockChanged.create(productId, { productId, available, reserved, reason, version }, origin));
}

/** Reads the levels of products just changed by native updates (one query) and announces each. */
export async function announceStockChanges(
  em: EntityManager,
  productIds: readonly string[],
  reason: StockChangeReason,
  origin: EventOrigin,
): Promise<void> {
  // `refresh`: the unit of work may hold rows as they were before the UPDATEs.
  const levels = await em.find(StockLevel, { productId: { $in: [...productIds] } }, { refresh: true, orderBy: { productId: 'asc' } });
  for (const level of levels) announceStockChange(em, level, reason, origin);
}
