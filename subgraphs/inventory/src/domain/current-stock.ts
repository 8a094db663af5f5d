import { badInput } from '@ficus/kit';
import type { StockFigures, StockLevelRow } from './stock-level';

/** A product as the gateway names it to inventory: its key and the initial stock products declared. */
export interface ProductReference {
  id: string;
  initialStock: number;
}

/**
 * The stock inventory reports for a product: its row once there is one. Before that (the
 * products.product.created event is still on its way) it is the initial stock products
 * declared, none of it reserved, so a product is right from the moment it is created.
 */
export function currentStock(product: ProductReference, row: StockLevelRow | null): StockFigures {
  if (row) return row;
  // The gateway always sends `initialStock` (it is @requires'd); a hand-made representation may not.
  if (!Number.isInteger(product.initialStock)) {
    throw badInput(`initialStock is required for product ${product.id}, which inventory has not heard of`);
  }
  return { productId: product.id, available: product.initialStock, reserved: 0 };
}

export function isInStock(stock: StockFigures): boolean {
  return stock.available > 0;
}
