import type { EntityManager } from '@mikro-orm/core';
import DataLoader from 'dataloader';
import { findItemsByOrderIds, findOrdersByIds } from '../domain/find-orders';
import { findOrderPages, OrderPage, orderPageKey, OrderPageRequest } from '../domain/list-customer-orders';
import type { OrderRow } from '../domain/order';
import type { OrderItemRow } from '../domain/order-item';

/** Per-request loaders: N orders, their items, or N customers' order pages asked for in one tick cost one query each. */
export interface OrderLoaders {
  order: DataLoader<string, OrderRow | null>;
  items: DataLoader<string, OrderItemRow[]>;
  orderPage: DataLoader<OrderPageRequest, OrderPage, string>;
}

export function createLoaders(em: EntityManager): OrderLoaders {
  return {
    order: new DataLoader((ids) => findOrdersByIds(em, ids)),
    items: new DataLoader((orderIds) => findItemsByOrderIds(em, orderIds)),
    orderPage: new DataLoader((requests) => findOrderPages(em, requests), { cacheKeyFn: orderPageKey }),
  };
}
