import { randomUUID } from 'node:crypto';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import {
  CheckSettings,
  SubgraphPublication,
  SubgraphPublicationRow,
  Supergraph,
  SupergraphRow,
  Variant,
  VariantRow,
} from '../db/entities';
import { maxUsagePeriodSeconds } from './duration';
import { GraphRef } from './graph-ref';

export const defaultCheckSettings: CheckSettings = {
  validationPeriodSeconds: 7 * 86_400,
  queryCountThreshold: 1,
  queryPercentageThreshold: 0,
  excludedClients: [],
  excludedOperationNames: [],
};

export function findVariant(em: EntityManager, ref: GraphRef): Promise<VariantRow | null> {
  return em.findOne(Variant, { graph: ref.graph, name: ref.variant });
}

/** The variant, created on first use; two first publishes racing both end up with the same row. */
export async function findOrCreateVariant(em: EntityManager, ref: GraphRef): Promise<VariantRow> {
  const existing = await findVariant(em, ref);
  if (existing) return existing;
  const fork = em.fork();
  try {
    await fork.persistAndFlush(
      fork.create(Variant, {
        id: randomUUID(),
        graph: ref.graph,
        name: ref.variant,
        latestSupergraphId: null,
        checkSettings: {},
        createdAt: new Date(),
      }),
    );
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }
  return em.findOneOrFail(Variant, { graph: ref.graph, name: ref.variant });
}

export function checkSettingsOf(variant: VariantRow | null): CheckSettings {
  const settings = { ...defaultCheckSettings, ...(variant?.checkSettings ?? {}) };
  // Registries before the bound stored any period; a longer one reads as the longest allowed.
  return { ...settings, validationPeriodSeconds: Math.min(settings.validationPeriodSeconds, maxUsagePeriodSeconds) };
}

/** The newest publication of each subgraph of the variant, by name. */
export async function currentSubgraphs(em: EntityManager, variantId: string): Promise<SubgraphPublicationRow[]> {
  // Inside `em.transactional` the query must run on the transaction's connection (SQLite has only one).
  const newest: { id: number | string }[] = await em
    .getConnection()
    .execute(
      'SELECT max(id) AS id FROM subgraph_publications WHERE variant_id = ? GROUP BY name',
      [variantId],
      'all',
      em.getTransactionContext(),
    );
  if (newest.length === 0) return [];
  return em.find(SubgraphPublication, { id: { $in: newest.map((row) => Number(row.id)) } }, { orderBy: { name: 'asc' } });
}

export async function latestSupergraph(em: EntityManager, variant: VariantRow | null): Promise<SupergraphRow | null> {
  if (!variant?.latestSupergraphId) return null;
  return em.findOne(Supergraph, { variantId: variant.id, id: variant.latestSupergraphId });
}
