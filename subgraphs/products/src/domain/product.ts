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

/**
 * The storefront URL slug: the name and the SKU, lower-cased, runs of anything but letters and
 * digits made one `-`. The legacy shop's link rule, taken over with the field: while both serve
 * `Product.slug`, both must answer alike (the strangling e2e test compares them).
 */
export function slugOf(product: { name: string; sku: string }): string {
  return `${product.name} ${product.sku}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
