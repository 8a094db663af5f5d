import { EntitySchema, raw } from '@mikro-orm/core';

/** The units of one product that inventory holds. `productId` is products' id; no key crosses databases. */
export interface StockLevelRow {
  productId: string;
  available: number;
  reserved: number;
  /** Goes up by one with every change, so that readers can tell a newer level from an older one. */
  version: number;
  updatedAt: Date;
}

export const StockLevel = new EntitySchema<StockLevelRow>({
  name: 'StockLevel',
  tableName: 'stock_levels',
  properties: {
    productId: { type: 'string', primary: true },
    available: { type: 'integer' },
    reserved: { type: 'integer' },
    version: { type: 'integer' },
    updatedAt: { type: 'datetime' },
  },
});

/** What inventory reports about a product's stock, whether or not it has a row for it yet. */
export type StockFigures = Pick<StockLevelRow, 'productId' | 'available' | 'reserved'> & { version?: number };

/** The column update that every change of a level makes alongside its own. */
export const nextVersion = () => raw('version + 1');

/**
 * The most units a level can hold: the columns are 32-bit on PostgreSQL. Checked in the
 * domain so that SQLite, whose integers are wider, refuses the same additions.
 */
export const MAX_UNITS = 2_147_483_647;
