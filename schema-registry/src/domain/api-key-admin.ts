import type { EntityManager } from '@mikro-orm/core';
import { notFound } from '@ficus/kit';
import { ApiKey, ApiKeyRow } from '../db/entities';
import { recordAudit } from './audit-log';

/** Every key, oldest first; callers show names and scopes, never the stored hash. */
export function listApiKeys(em: EntityManager): Promise<ApiKeyRow[]> {
  return em.find(ApiKey, {}, { orderBy: { createdAt: 'asc', name: 'asc' } });
}

/** Deletes a key, so the next request that presents it is refused; returns what it was. The audit log keeps who did it. */
export async function revokeApiKey(em: EntityManager, id: string, actor: ApiKeyRow): Promise<ApiKeyRow> {
  const found = await em.findOne(ApiKey, { id });
  if (!found) throw notFound(`no API key with id ${id}`);
  await em.removeAndFlush(found);
  await recordAudit(em, { action: 'key.revoke', subject: found.name, outcome: 'revoked', actor, details: { keyId: found.id, scopes: found.scopes } });
  return found;
}
