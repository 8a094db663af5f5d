import type { EntityManager } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import { findProductsByIds } from '../domain/find-products';
import type { ProductRow } from '../domain/product';

/** Per-request loaders: N product look-ups in one tick cost one query. */
export interface ProductLoaders {
  product: DataLoader<string, ProductRow | null>;
}

export function createLoaders(em: EntityManager): ProductLoaders {
  return { product: new DataLoader((ids) => findProductsByIds(em, ids)) };
}
