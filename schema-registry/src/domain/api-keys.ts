import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { badInput, forbidden, unauthenticated } from '@ficus/kit';
import { ApiKey, ApiKeyRow, Scope, scopes as allScopes } from '../db/entities';
import { unprintable } from '../unprintable';
import { recordAudit } from './audit-log';

const keyPrefix = 'ficus_';

const hashOf = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * Creates a key with 256 random bits and stores only its sha256: a high-entropy secret needs
 * no slow hash, and a leaked table gives nothing to replay. The key itself is returned once.
 */
export async function createApiKey(
  em: EntityManager,
  input: { name: string; scopes: string[] },
  /** The admin key creating it through the API, recorded in the audit log; null when written to the database directly. */
  createdBy: ApiKeyRow | null = null,
): Promise<{ key: string; apiKey: ApiKeyRow }> {
  const name = input.name.trim();
  if (!name || name.length > 200) throw badInput('a key needs a name of 1 to 200 characters');
  // Names are printed by `ficus key list`, the audit log and the console.
  if (unprintable.test(name)) throw badInput('a key name may not hold control characters, line breaks or bidirectional overrides');
  if (name === bootstrapKeyName) throw badInput(`"${bootstrapKeyName}" is the name of the development bootstrap key, which the registry manages`);
  const unknown = input.scopes.filter((s) => !allScopes.includes(s as Scope));
  if (unknown.length > 0) throw badInput(`unknown scope ${unknown.join(', ')}: use ${allScopes.join(', ')}`);
  if (input.scopes.length === 0) throw badInput(`a key needs at least one scope: ${allScopes.join(', ')}`);

  const key = `${keyPrefix}${randomBytes(32).toString('base64url')}`;
  const apiKey = em.create(ApiKey, {
    id: randomUUID(),
    name,
    keyHash: hashOf(key),
    scopes: [...new Set(input.scopes as Scope[])],
    createdAt: new Date(),
  });
  await em.persistAndFlush(apiKey);
  if (createdBy) {
    await recordAudit(em, { action: 'key.create', subject: name, outcome: 'created', actor: createdBy, details: { keyId: apiKey.id, scopes: apiKey.scopes } });
  }
  return { key, apiKey };
}

export const bootstrapKeyName = 'bootstrap (development)';

/**
 * Makes `key` the development bootstrap key, with every scope: the one row named
 * `bootstrapKeyName` gets its hash, so a launcher that picks a new key at each start leaves
 * exactly one such key behind, and the previous one stops working.
 */
export async function storeBootstrapKey(em: EntityManager, key: string): Promise<void> {
  const existing = await em.findOne(ApiKey, { name: bootstrapKeyName });
  if (existing) {
    existing.keyHash = hashOf(key);
    existing.scopes = [...allScopes];
  } else {
    em.create(ApiKey, { id: randomUUID(), name: bootstrapKeyName, keyHash: hashOf(key), scopes: [...allScopes], createdAt: new Date() });
  }
  await em.flush();
}

/** The key a request presents, or null; a key that matches nothing is also null. */
export async function findApiKey(em: EntityManager, presented: string): Promise<ApiKeyRow | null> {
  const hash = hashOf(presented);
  const found = await em.findOne(ApiKey, { keyHash: hash });
  // The lookup is by hash already; the constant-time compare keeps it so if the lookup ever changes.
  if (!found || !timingSafeEqual(Buffer.from(found.keyHash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  return found;
}

/** Who is calling, as far as the request says. */
export interface Caller {
  /** Whether the request carried any key at all. */
  presented: boolean;
  apiKey: ApiKeyRow | null;
}

/** The caller's key if it has `scope`; UNAUTHENTICATED without a valid key, FORBIDDEN without the scope. */
export function requireScope(caller: Caller, scope: Scope): ApiKeyRow {
  if (!caller.presented) throw unauthenticated('an API key is required: set FICUS_API_KEY (Authorization: Bearer <key>)');
  if (!caller.apiKey) throw unauthenticated('the API key is not valid');
  if (!caller.apiKey.scopes.includes(scope)) {
    throw forbidden(`the API key "${caller.apiKey.name}" lacks the ${scope} scope`);
  }
  return caller.apiKey;
}

/**
 * `Authorization: Bearer <key>`, rover's and Apollo Server's `x-api-key: <key>`, or Hive Gateway's
 * `x-hive-cdn-key: <key>` (its supergraph fetcher sends only that).
 */
export function presentedKey(headers: { authorization?: string; 'x-api-key'?: string | string[]; 'x-hive-cdn-key'?: string | string[] }): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  const header = headers['x-api-key'] ?? headers['x-hive-cdn-key'];
  const key = bearer ?? (Array.isArray(header) ? header[0] : header);
  return key ? key.trim() : null;
}
