import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { badInput, decodeCursor, encodeCursor, pageSize } from '@ficus/kit';
import { Product, ProductRow } from './product';

export interface ProductFilter {
  search?: string | null;
  minPrice?: number | null;
  maxPrice?: number | null;
}

export interface ProductPage {
  edges: { cursor: string; node: ProductRow }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** The catalog newest first (ids are time-ordered), a page after an opaque cursor. */
export async function listProducts(
  em: EntityManager,
  args: { first?: number | null; after?: string | null; filter?: ProductFilter | null },
): Promise<ProductPage> {
  const first = pageSize(args.first);
  const where = productFilter(args.filter ?? {});
  const page: FilterQuery<ProductRow> = args.after ? { $and: [where, { id: { $lt: decodeCursor(args.after) } }] } : where;
  const [rows, totalCount] = await Promise.all([
    em.find(Product, page, { orderBy: { id: 'desc' }, limit: first + 1 }),
    em.count(Product, where),
  ]);
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

function productFilter(filter: ProductFilter): FilterQuery<ProductRow> {
  const { search, minPrice, maxPrice } = filter;
  if (minPrice != null && maxPrice != null && minPrice > maxPrice) {
    throw badInput('filter.minPrice must not exceed filter.maxPrice');
  }
  const clauses: FilterQuery<ProductRow>[] = [];
  if (search?.trim()) {
    const escaped = search.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    clauses.push({ searchText: { $like: `%${escaped}%` } });
  }
  if (minPrice != null) clauses.push({ priceAmount: { $gte: minPrice } });
  if (maxPrice != null) clauses.push({ priceAmount: { $lte: maxPrice } });
  return clauses.length > 0 ? { $and: clauses } : {};
}
