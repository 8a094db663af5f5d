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

/** How deep a contract set's JSON may nest: its hash and its diff walk it by recursion. */
export const maxContractNesting = 100;

/** Validates a proposed contract set, naming every problem as BAD_USER_INPUT. */
export function parseEventContracts(input: unknown): EventContractShape[] {
  if (nestsDeeperThan(input, maxContractNesting)) throw badInput(`event contracts are malformed: they nest more than ${maxContractNesting} levels deep`);
  const result = eventContractSet.safeParse(input);
  if (!result.success) throw badInput(`event contracts are malformed: ${z.prettifyError(result.error).replace(/\n/g, '; ')}`);
  return [...result.data].sort((a, b) => a.type.localeCompare(b.type) || a.version - b.version);
}

/** Measured without recursion, so any depth is answered rather than overflowing the stack. */
function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [at, depth] = pending.pop()!;
    if (typeof at !== 'object' || at === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(at)) pending.push([child, depth + 1]);
  }
  return false;
}

export function contentHashOf(contracts: readonly EventContractShape[]): string {
  return createHash('sha256').update(JSON.stringify(contracts)).digest('hex');
}

/** The variant's newest published contract set, or null before the first publish. */
export function latestEventContracts(em: EntityManager, variantId: string): Promise<EventContractPublicationRow | null> {
  return em.findOne(EventContractPublication, { variantId }, { orderBy: { id: 'desc' } });
}
