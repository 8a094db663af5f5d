import type { EntityManager } from '@mikro-orm/core';
import type { StockFigures } from './stock-level';

export interface StockMove {
  productId: string;
  /** Units added to available (negative: taken out). */
  available: number;
  /** Units added to reserved (negative: taken out). */
  reserved: number;
  /** The column that must hold at least `atLeast` units for the move to happen. */
  guard: 'available' | 'reserved';
  atLeast: number;
  updatedAt: Date;
}

/**
 * Moves one product's units with one conditional UPDATE, which the database serialises
 * per row, so concurrent moves all count and none takes a column below its guard. Returns
 * the level as it now stands (RETURNING, so announcing it needs no second read), or null
 * when the guard failed or the product is unknown, having changed nothing.
 */
export async function moveStock(em: EntityManager, move: StockMove): Promise<StockFigures | null> {
  const guardColumn = move.guard === 'available' ? 'available' : 'reserved';
  const rows: { product_id: string; available: number | string; reserved: number | string; version: number | string }[] = await em.getConnection().execute(
    'update stock_levels set available = available + ?, reserved = reserved + ?, version = version + 1, updated_at = ?' +
      ` where product_id = ? and ${guardColumn} >= ? returning product_id, available, reserved, version`,
    [move.available, move.reserved, move.updatedAt, move.productId, move.atLeast],
    'all',
    em.getTransactionContext(),
  );
  const row = rows[0];
  return row
    ? { productId: row.product_id, available: Number(row.available), reserved: Number(row.reserved), version: Number(row.version) }
    : null;
}
