import type { EntityManager } from '@mikro-orm/core';
import { CatalogProduct, CatalogProductRow } from './catalog-product';

/** Adds a product to the local catalog, or brings its entry up to date if orders already has one. */
export async function recordCatalogProduct(em: EntityManager, product: CatalogProductRow): Promise<void> {
  await em.upsert(CatalogProduct, product);
}
