import type { EntityManager } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import { findShopProducts } from '../domain/list-shop';
import type { ShopProductRow } from '../domain/shop-product';

/** Per-request loaders: N product references in one tick cost one query. */
export interface ShopLoaders {
  product: DataLoader<string, ShopProductRow | null>;
}

export function createLoaders(em: EntityManager): ShopLoaders {
  return { product: new DataLoader((ids) => findShopProducts(em, ids)) };
}
