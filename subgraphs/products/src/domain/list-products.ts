import { EntityManager, FilterQuery, raw } from '@mikro-orm/core';
import { badInput, decodeCursor, encodeCursor, likeContaining, likeEscapeClause, pageSize } from '@ficus/kit';
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
  const filter = args.filter ?? {};
  assertFilter(filter);
  // Each query gets a filter of its own: a raw fragment used as a key is consumed by the query that reads it.
  const where = productFilter(filter);
  const page: FilterQuery<ProductRow> = args.after ? { $and: [where, { id: { $lt: decodeCursor(args.after) } }] } : where;
  const [rows, totalCount] = await Promise.all([
    em.find(Product, page, { orderBy: { id: 'desc' }, limit: first + 1 }),
    em.count(Product, productFilter(filter)),
  ]);
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}

/** A product's search text is its name (at most 200 characters), a line break and its SKU (at most 64). */
const maxSearchLength = 300;

function assertFilter({ search, minPrice, maxPrice }: ProductFilter): void {
  if (minPrice != null && maxPrice != null && minPrice > maxPrice) {
    throw badInput('filter.minPrice must not exceed filter.maxPrice');
  }
  if (search != null && search.length > maxSearchLength) {
    throw badInput(`filter.search: at most ${maxSearchLength} characters (no product's name and SKU are longer)`);
  }
}

function productFilter({ search, minPrice, maxPrice }: ProductFilter): FilterQuery<ProductRow> {
  const clauses: FilterQuery<ProductRow>[] = [];
  if (search?.trim()) {
    const pattern = likeContaining(search.trim().toLowerCase());
    clauses.push({ [raw((alias) => `${alias}.search_text like ? ${likeEscapeClause}`, [pattern])]: [] });
  }
  if (minPrice != null) clauses.push({ priceAmount: { $gte: minPrice } });
  if (maxPrice != null) clauses.push({ priceAmount: { $lte: maxPrice } });
  return clauses.length > 0 ? { $and: clauses } : {};
}
