import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/core';
import { badInput } from '@ficus/kit';
import { z } from 'zod';
import { EventContractPublication, EventContractPublicationRow } from '../../db/entities';
import type { EventContractShape } from './diff-event-contracts';

const eventContractSet = z
  .array(
    z.object({
      type: z.string().regex(/^[a-z][\w-]*(\.[a-z][\w-]*)+$/, 'an event type such as orders.order.placed'),
      version: z.number().int().positive(),
      schema: z.record(z.string(), z.unknown()),
    }),
  )
  .refine((contracts) => new Set(contracts.map((c) => `${c.type}@${c.version}`)).size === contracts.length, 'a type and version appear twice');

/** Validates a proposed contract set, naming every problem as BAD_USER_INPUT. */
export function parseEventContracts(input: unknown): EventContractShape[] {
  const result = eventContractSet.safeParse(input);
  if (!result.success) throw badInput(`event contracts are malformed: ${z.prettifyError(result.error).replace(/\n/g, '; ')}`);
  return [...result.data].sort((a, b) => a.type.localeCompare(b.type) || a.version - b.version);
}

export function contentHashOf(contracts: readonly EventContractShape[]): string {
  return createHash('sha256').update(JSON.stringify(contracts)).digest('hex');
}

/** The variant's newest published contract set, or null before the first publish. */
export function latestEventContracts(em: EntityManager, variantId: string): Promise<EventContractPublicationRow | null> {
  return em.findOne(EventContractPublication, { variantId }, { orderBy: { id: 'desc' } });
}
