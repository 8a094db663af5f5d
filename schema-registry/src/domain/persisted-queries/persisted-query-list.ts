import type { EntityManager } from '@mikro-orm/core';
import { PersistedOperation, PersistedOperationRow, PersistedQueryList, PersistedQueryListRow } from '../../db/entities';

/** What a variant's list may grow to: every gateway of the variant holds it in memory. */
export const listLimits = { maxOperations: 20_000, maxBodyChars: 32_000_000 } as const;

/** The key long-polls of a variant's list wait on (the supergraph's watch, keyed apart). */
export const persistedQueriesWatchKey = (graphRef: string): string => `persisted-queries:${graphRef}`;

export async function findPersistedQueryList(em: EntityManager, variantId: string | undefined): Promise<PersistedQueryListRow | null> {
  return variantId ? em.findOne(PersistedQueryList, { variantId }) : null;
}

/** Every operation of the list, by id. */
export function listOperations(em: EntityManager, variantId: string): Promise<PersistedOperationRow[]> {
  return em.find(PersistedOperation, { variantId }, { orderBy: { id: 'asc' } });
}

/** The operations of the list among `ids`, by id. */
export async function findOperations(em: EntityManager, variantId: string, ids: string[]): Promise<Map<string, PersistedOperationRow>> {
  const found = new Map<string, PersistedOperationRow>();
  // In slices: an IN list of 10 000 parameters is more than SQLite takes in one statement.
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await em.find(PersistedOperation, { variantId, id: { $in: ids.slice(start, start + 500) } });
    for (const row of rows) found.set(row.id, row);
  }
  return found;
}
