import { EntityManager, raw } from '@mikro-orm/core';
import { MAX_UNITS, nextVersion, StockLevel, StockLevelRow } from './stock-level';

export type Addition =
  | { kind: 'added'; level: StockLevelRow }
  | { kind: 'unknown-product' }
  | { kind: 'over-capacity'; level: StockLevelRow };

/**
 * Adds units to a product's available stock with one conditional UPDATE, so concurrent
 * additions all count (the database serialises them on the row) and none can push the
 * level past MAX_UNITS. Reads the level back in the same transaction.
 */
export async function addAvailable(em: EntityManager, productId: string, units: number): Promise<Addition> {
  const updated = await em.nativeUpdate(
    StockLevel,
    { productId, available: { $lte: MAX_UNITS - units } },
    { available: raw('available + ?', [units]), version: nextVersion(), updatedAt: new Date() },
  );
  // `refresh`: the transaction's unit of work may hold the row as it was before the UPDATE.
  const level = await em.findOne(StockLevel, { productId }, { refresh: true });
  if (!level) return { kind: 'unknown-product' };
  return updated > 0 ? { kind: 'added', level } : { kind: 'over-capacity', level };
}
