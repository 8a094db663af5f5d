import { EntityManager, LockMode } from '@mikro-orm/core';
import { badInput } from '@ficus/kit';
import { ApiKeyRow, PersistedOperation, PersistedQueryList, Variant } from '../../db/entities';
import { formatGraphRef, GraphRef } from '../graph-ref';
import { KeyedLock } from '../keyed-lock';
import { SupergraphWatch } from '../supergraph-watch';
import { findOrCreateVariant } from '../variants';
import { parseManifest } from './manifest';
import { recordAudit } from '../audit-log';
import { findOperations, findPersistedQueryList, listLimits, persistedQueriesWatchKey } from './persisted-query-list';

export interface PersistedQueriesPublishDeps {
  em: EntityManager;
  publishLock: KeyedLock;
  watch: SupergraphWatch;
  /** PostgreSQL: lock the variant row too, so registries running side by side also take turns. */
  lockRows: boolean;
}

/** An id already in the list with another body. */
export interface PersistedQueryConflict {
  id: string;
  name: string;
  publishedName: string;
}

export type PersistedQueriesPublishOutcome =
  | { status: 'published' | 'unchanged'; added: number; identical: number; total: number; revision: number }
  | { status: 'refused'; conflicts: PersistedQueryConflict[] };

/**
 * Adds a manifest's operations to the variant's persisted query list, as GraphOS does: the list
 * only grows (operations left out of a manifest stay), an id already listed with the same body is
 * unchanged, and an id listed with a different body refuses the whole publish (GraphOS's
 * CannotModifyOperationBody): a client already shipped may send that id and must keep getting
 * the operation it was built with. Nothing is recorded unless everything is.
 */
export async function publishPersistedQueries(
  deps: PersistedQueriesPublishDeps,
  input: { ref: GraphRef; manifest: string },
  publisher: ApiKeyRow,
): Promise<PersistedQueriesPublishOutcome> {
  const operations = parseManifest(input.manifest);
  const graphRef = formatGraphRef(input.ref);
  const outcome = await deps.publishLock.run(persistedQueriesWatchKey(graphRef), async () => {
    const variant = await findOrCreateVariant(deps.em, input.ref);
    return deps.em.transactional(async (em): Promise<PersistedQueriesPublishOutcome> => {
      if (deps.lockRows) await em.findOneOrFail(Variant, { id: variant.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const list = await findPersistedQueryList(em, variant.id);
      const listed = await findOperations(em, variant.id, operations.map((o) => o.id));
      const conflicts: PersistedQueryConflict[] = [];
      const fresh = operations.filter((operation) => {
        const known = listed.get(operation.id);
        if (known && known.body !== operation.body) conflicts.push({ id: operation.id, name: operation.name, publishedName: known.name });
        return !known;
      });
      if (conflicts.length > 0) return { status: 'refused', conflicts };

      const identical = operations.length - fresh.length;
      const total = (list?.operationCount ?? 0) + fresh.length;
      const bodyChars = (list?.bodyChars ?? 0) + fresh.reduce((sum, o) => sum + o.body.length, 0);
      if (fresh.length === 0) return { status: 'unchanged', added: 0, identical, total, revision: list?.revision ?? 0 };
      if (total > listLimits.maxOperations || bodyChars > listLimits.maxBodyChars) {
        throw badInput(
          `${graphRef}'s persisted query list would hold ${total} operations (${bodyChars} characters of bodies); the limit is ${listLimits.maxOperations} operations and ${listLimits.maxBodyChars} characters`,
        );
      }
      const publishedAt = new Date();
      for (const operation of fresh) {
        em.create(PersistedOperation, { variantId: variant.id, ...operation, publishedByKeyId: publisher.id, publishedBy: publisher.name, publishedAt });
      }
      const revision = (list?.revision ?? 0) + 1;
      if (list) Object.assign(list, { revision, operationCount: total, bodyChars, updatedAt: publishedAt });
      else em.create(PersistedQueryList, { variantId: variant.id, revision, operationCount: total, bodyChars, updatedAt: publishedAt });
      await em.flush();
      return { status: 'published', added: fresh.length, identical, total, revision };
    });
  });
  if (outcome.status === 'published') deps.watch.notify(persistedQueriesWatchKey(graphRef));
  await recordAudit(deps.em, {
    action: 'persisted_queries.publish',
    graphRef,
    outcome: outcome.status,
    actor: publisher,
    details:
      outcome.status === 'refused'
        ? { conflicts: outcome.conflicts.map((c) => c.id) }
        : { added: outcome.added, identical: outcome.identical, total: outcome.total, revision: outcome.revision },
  });
  return outcome;
}
