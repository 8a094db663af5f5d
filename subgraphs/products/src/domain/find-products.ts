import type { EntityManager } from '@mikro-orm/core';
import { Product, ProductRow } from './product';

/** Products by id in one query, in the order asked, `null` where none exists. */
export async function findProductsByIds(em: EntityManager, ids: readonly string[]): Promise<(ProductRow | null)[]> {
  const rows = await em.find(Product, { id: { $in: [...ids] } });
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}
