import type { EntityManager } from '@mikro-orm/core';
import { Identity, pageSize, requireRole } from '@ficus/kit';
import { ShopOrder, ShopOrderRow } from './shop-order';
import { ShopProduct, ShopProductRow } from './shop-product';

/** The shop's catalog page, newest first (ids are time-ordered). */
export function listShopProducts(em: EntityManager, first: number | null | undefined): Promise<ShopProductRow[]> {
  return em.find(ShopProduct, {}, { orderBy: { id: 'desc' }, limit: pageSize(first) });
}

/** The back office's order list, newest first: every customer's orders, so admins only. */
export function listShopOrders(em: EntityManager, actor: Identity | null, first: number | null | undefined): Promise<ShopOrderRow[]> {
  requireRole(actor, 'admin');
  return em.find(ShopOrder, {}, { orderBy: { id: 'desc' }, limit: pageSize(first) });
}

/** Products by id in one query, in the order asked, `null` where the shop has no row (yet). */
export async function findShopProducts(em: EntityManager, ids: readonly string[]): Promise<(ShopProductRow | null)[]> {
  const rows = await em.find(ShopProduct, { id: { $in: [...ids] } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}
