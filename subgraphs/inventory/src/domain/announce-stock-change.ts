import type { EntityManager } from '@mikro-orm/core';
import { EventOrigin, stockChanged } from '@ficus/events';
import { recordEvent } from '@ficus/kit';
import type { StockFigures } from './stock-level';

export type StockChangeReason = 'INITIAL' | 'RESTOCK' | 'RESERVATION' | 'RELEASE' | 'SALE';

/** Queues `inventory.stock.changed` in the caller's transaction, with the level as it now stands. */
export function announceStockChange(em: EntityManager, level: StockFigures, reason: StockChangeReason, origin: EventOrigin): void {
  const { productId, available, reserved, version } = level;
  recordEvent(em, stockChanged.create(productId, { productId, available, reserved, reason, version }, origin));
}
