import { EntityManager } from '@mikro-orm/core';
import type { EventContractPublicationRow } from '../../db/entities';
import type { GraphRef } from '../graph-ref';
import { findVariant } from '../variants';
import { diffEventContracts, EventContractChange, EventContractShape } from './diff-event-contracts';
import { latestEventContracts } from './event-contract-set';

export interface EventContractsCheck {
  passed: boolean;
  /** What was compared against; null when the variant has no published contracts yet. */
  baseline: EventContractPublicationRow | null;
  changes: EventContractChange[];
}

/** Compares proposed event contracts with the variant's last published ones; any breaking change fails. */
export async function checkEventContracts(em: EntityManager, ref: GraphRef, proposed: EventContractShape[]): Promise<EventContractsCheck> {
  const variant = await findVariant(em, ref);
  const baseline = variant ? await latestEventContracts(em, variant.id) : null;
  if (!baseline) return { passed: true, baseline: null, changes: [] };
  const changes = diffEventContracts(baseline.contracts as EventContractShape[], proposed);
  return {
    passed: changes.every((c) => c.severity !== 'BREAKING'),
    baseline,
    changes,
  };
}
