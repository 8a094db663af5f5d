import { EntitySchema } from '@mikro-orm/core';

/** A catalog entry. Prices are in minor units; the live stock level belongs to inventory. */
export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string | null;
  priceAmount: number;
  priceCurrency: string;
  initialStock: number;
  /** Lower-cased name and SKU, so search is case-insensitive on every database. */
  searchText: string;
  createdAt: Date;
}

export const Product = new EntitySchema<ProductRow>({
  name: 'Product',
  tableName: 'products',
  properties: {
    id: { type: 'string', primary: true },
    sku: { type: 'string', unique: true },
    name: { type: 'string' },
    description: { type: 'text', nullable: true },
    priceAmount: { type: 'integer' },
    priceCurrency: { type: 'string' },
    initialStock: { type: 'integer' },
    searchText: { type: 'string', hidden: true },
    createdAt: { type: 'datetime' },
  },
});

export function searchTextOf(product: { name: string; sku: string }): string {
  return `${product.name}\n${product.sku}`.toLowerCase();
}
