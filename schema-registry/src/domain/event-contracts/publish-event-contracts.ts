import { EntityManager } from '@mikro-orm/core';
import { recordAudit } from '../audit-log';
import { ApiKeyRow, EventContractPublication, EventContractPublicationRow } from '../../db/entities';
import { formatGraphRef, GraphRef } from '../graph-ref';
import { KeyedLock } from '../keyed-lock';
import { findOrCreateVariant } from '../variants';
import { diffEventContracts, EventContractChange, EventContractShape } from './diff-event-contracts';
import { contentHashOf, latestEventContracts } from './event-contract-set';

export type EventContractsPublishOutcome =
  | { status: 'published' | 'unchanged'; publication: EventContractPublicationRow; changes: EventContractChange[] }
  | { status: 'refused'; changes: EventContractChange[] };

/**
 * Records a variant's event contracts. A set with breaking changes against the last one is
 * refused unless `allowBreaking` (for the day an old version is finally retired).
 */
export async function publishEventContracts(
  deps: { em: EntityManager; publishLock: KeyedLock },
  input: { ref: GraphRef; contracts: EventContractShape[]; allowBreaking: boolean },
  publisher: ApiKeyRow,
): Promise<EventContractsPublishOutcome> {
  const outcome = await deps.publishLock.run(`events:${formatGraphRef(input.ref)}`, async (): Promise<EventContractsPublishOutcome> => {
    const em = deps.em;
    const variant = await findOrCreateVariant(em, input.ref);
    const previous = await latestEventContracts(em, variant.id);
    const changes = previous ? diffEventContracts(previous.contracts as EventContractShape[], input.contracts) : [];
    const contentHash = contentHashOf(input.contracts);
    if (previous && previous.contentHash === contentHash) return { status: 'unchanged', publication: previous, changes };
    if (!input.allowBreaking && changes.some((c) => c.severity === 'BREAKING')) return { status: 'refused', changes };
    const publication = em.create(EventContractPublication, {
      variantId: variant.id,
      contracts: input.contracts,
      contentHash,
      publishedByKeyId: publisher.id,
      publishedBy: publisher.name,
      publishedAt: new Date(),
    });
    await em.flush();
    return { status: 'published', publication, changes };
  });
  await recordAudit(deps.em, {
    action: 'event_contracts.publish',
    graphRef: formatGraphRef(input.ref),
    outcome: outcome.status,
    actor: publisher,
    details: { changes: outcome.changes.map((c) => `${c.code} ${c.coordinate}`), allowBreaking: input.allowBreaking },
  });
  return outcome;
}
