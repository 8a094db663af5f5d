import type { EntityManager } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import { findStockLevels } from '../domain/find-stock-levels';
import type { StockLevelRow } from '../domain/stock-level';

/** Per-request loaders: the stock of N products asked for in one tick costs one query. */
export interface InventoryLoaders {
  stockLevel: DataLoader<string, StockLevelRow | null>;
}

export function createLoaders(em: EntityManager): InventoryLoaders {
  return { stockLevel: new DataLoader((productIds) => findStockLevels(em, productIds)) };
}
