import type { EntityManager } from '@mikro-orm/core';
import { StockLevel, StockLevelRow } from './stock-level';

/** Stock levels by product id in one query, in the order asked, `null` where inventory has none. */
export async function findStockLevels(em: EntityManager, productIds: readonly string[]): Promise<(StockLevelRow | null)[]> {
  const rows = await em.find(StockLevel, { productId: { $in: [...productIds] } });
  const byProductId = new Map(rows.map((row) => [row.productId, row]));
  return productIds.map((id) => byProductId.get(id) ?? null);
}
