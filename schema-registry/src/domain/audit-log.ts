import type { EntityManager } from '@mikro-orm/core';
import { badInput } from '@ficus/kit';
import { ApiKeyRow, AuditEvent, AuditEventRow } from '../db/entities';

/** What the audit log records; each is written where the change is made, so every API that makes it is covered. */
export const auditActions = {
  'subgraph.publish': 'A subgraph publish: published, unchanged or refused (registry API and rover).',
  'subgraph.check': 'A subgraph check: passed or failed (registry API and rover).',
  'subgraph.delete': 'A subgraph taken out of a variant: deleted, or refused when the others do not compose without it (registry API and rover).',
  'persisted_queries.publish': 'A persisted query manifest publish: published, unchanged or refused.',
  'event_contracts.publish': 'An event contracts publish: published, unchanged or refused.',
  'checks.configure': "A change to a variant's check settings.",
  'key.create': 'An API key created through the API.',
  'key.revoke': 'An API key revoked.',
} as const;

export type AuditAction = keyof typeof auditActions;

/**
 * Appends one entry. Written with its own entity manager after the change is made, so a
 * transaction the change ran in is never widened, and a refused publish is recorded too.
 */
export async function recordAudit(
  em: EntityManager,
  entry: { action: AuditAction; graphRef?: string | null; subject?: string | null; outcome: string; actor: ApiKeyRow; details?: object },
): Promise<void> {
  const own = em.fork();
  own.create(AuditEvent, {
    at: new Date(),
    action: entry.action,
    graphRef: entry.graphRef ?? null,
    subject: entry.subject ?? null,
    outcome: entry.outcome,
    actorKeyId: entry.actor.id,
    actor: entry.actor.name,
    details: entry.details ?? {},
  });
  await own.flush();
}

/** Entries newest first, `limit` at a time; `before` (an entry id) pages back. */
export async function listAuditEvents(
  em: EntityManager,
  filter: { graphRef?: string | null; action?: string | null; limit?: number | null; before?: number | null },
): Promise<AuditEventRow[]> {
  const limit = filter.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badInput('limit must be 1 to 1000');
  if (filter.action && !(filter.action in auditActions)) throw badInput(`unknown action ${filter.action}: use ${Object.keys(auditActions).join(', ')}`);
  return em.find(
    AuditEvent,
    {
      ...(filter.graphRef ? { graphRef: filter.graphRef } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.before ? { id: { $lt: filter.before } } : {}),
    },
    { orderBy: { id: 'desc' }, limit },
  );
}
