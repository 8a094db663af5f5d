import type { EntityManager } from '@mikro-orm/core';
import { badInput } from '@ficus/kit';
import { CheckRun, CheckRunRow, SubgraphPublication, SubgraphPublicationRow, Variant, VariantRow } from '../db/entities';

/** Every variant, by graph then name. */
export function listVariants(em: EntityManager): Promise<VariantRow[]> {
  return em.find(Variant, {}, { orderBy: { graph: 'asc', name: 'asc' } });
}

/** Every publication of one subgraph of a variant, newest first. */
export function subgraphVersions(em: EntityManager, variantId: string, name: string): Promise<SubgraphPublicationRow[]> {
  return em.find(SubgraphPublication, { variantId, name }, { orderBy: { id: 'desc' } });
}

/** The newest `limit` check runs of a variant. */
export function recentCheckRuns(em: EntityManager, variantId: string, limit: number): Promise<CheckRunRow[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw badInput('limit must be a whole number from 1 to 200');
  return em.find(CheckRun, { variantId }, { orderBy: { createdAt: 'desc' }, limit });
}
