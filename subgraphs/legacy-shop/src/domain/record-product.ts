import type { EntityManager } from '@mikro-orm/core';
import { ShopProduct, slugOf } from './shop-product';

export interface ProductFacts {
  productId: string;
  sku: string;
  name: string;
  price: { amount: number; currency: string };
}

/** Writes (or rewrites) the shop's row for a product; the same facts twice leave one row. */
export async function recordProduct(em: EntityManager, facts: ProductFacts, at: Date): Promise<void> {
  const row = {
    sku: facts.sku,
    name: facts.name,
    slug: slugOf(facts),
    priceAmount: facts.price.amount,
    priceCurrency: facts.price.currency,
  };
  const existing = await em.findOne(ShopProduct, { id: facts.productId });
  if (existing) em.assign(existing, row);
  else em.create(ShopProduct, { id: facts.productId, ...row, createdAt: at });
}
