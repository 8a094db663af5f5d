import { EntitySchema } from '@mikro-orm/core';

/**
 * What orders knows of a product, learnt from `products.product.created`: enough to price
 * an order without asking products, so placing an order never waits on another service.
 */
export interface CatalogProductRow {
  productId: string;
  name: string;
  priceAmount: number;
  priceCurrency: string;
}

export const CatalogProduct = new EntitySchema<CatalogProductRow>({
  name: 'CatalogProduct',
  tableName: 'catalog_products',
  properties: {
    productId: { type: 'string', primary: true },
    name: { type: 'string' },
    priceAmount: { type: 'integer' },
    priceCurrency: { type: 'string' },
  },
});
