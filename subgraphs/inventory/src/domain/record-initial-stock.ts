import type { EntityManager } from '@mikro-orm/core';
import type { EventOrigin } from '@ficus/events';
import { addAvailable } from './add-available';
import { announceStockChange } from './announce-stock-change';
import { MAX_UNITS, StockLevel, StockLevelRow } from './stock-level';

export interface NewProduct {
  productId: string;
  initialStock: number;
}

/**
 * Opens the stock of a product that products has just created, in the caller's transaction,
 * and announces it (reason INITIAL). A row should not exist yet; if one does, the declared
 * stock is added to it rather than lost.
 */
export async function recordInitialStock(em: EntityManager, product: NewProduct, origin: EventOrigin): Promise<StockLevelRow> {
  const { productId, initialStock } = product;
  const addition = await addAvailable(em, productId, initialStock);
  if (addition.kind === 'over-capacity') {
    throw new Error(`adding ${initialStock} units to product ${productId} would exceed ${MAX_UNITS}`);
  }
  const level =
    addition.kind === 'added'
      ? addition.level
      : em.create(StockLevel, { productId, available: initialStock, reserved: 0, version: 1, updatedAt: new Date() });
  announceStockChange(em, level, 'INITIAL', origin);
  return level;
}
