import { EntitySchema } from '@mikro-orm/core';

/** The shop's row for a product: its copy of the catalog, kept in step from products' events. */
export interface ShopProductRow {
  id: string;
  sku: string;
  name: string;
  /** Stored when the row is written, as the monolith did, not computed per read. */
  slug: string;
  priceAmount: number;
  priceCurrency: string;
  createdAt: Date;
}

export const ShopProduct = new EntitySchema<ShopProductRow>({
  name: 'ShopProduct',
  tableName: 'shop_products',
  properties: {
    id: { type: 'string', primary: true },
    sku: { type: 'string' },
    name: { type: 'string' },
    slug: { type: 'string' },
    priceAmount: { type: 'integer' },
    priceCurrency: { type: 'string' },
    createdAt: { type: 'datetime' },
  },
});

/**
 * The old shop's link rule: the name and the SKU, lower-cased, runs of anything but letters and
 * digits made one `-`. Products serves `Product.slug` by the same rule, so both owners answer alike.
 */
export function slugOf(product: { name: string; sku: string }): string {
  return `${product.name} ${product.sku}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** What the shop answers for a product: a product it has not heard of yet has no slug. */
export type ShopProductRef = Pick<ShopProductRow, 'id'> & { slug: string | null };
