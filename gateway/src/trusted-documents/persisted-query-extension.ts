/** What a request's `extensions.persistedQuery` says. */
export type PersistedQueryRef = { kind: 'none' } | { kind: 'id'; id: string } | { kind: 'invalid'; message: string };

const maxIdLength = 256;
const maxExtensionsText = 10_000;

/**
 * Reads `extensions.persistedQuery` as Apollo Client's persisted-queries link and Apollo Router
 * send it: `{ version: 1, sha256Hash: <id> }`, where the id is a sha256 for APQ and the manifest's
 * id (sha256 by default, or custom) for a persisted query list. `extensions` may still be JSON
 * text, as a GET request carries it.
 */
export function readPersistedQuery(extensions: unknown): PersistedQueryRef {
  let value = extensions;
  if (typeof value === 'string') {
    if (value.length > maxExtensionsText) return { kind: 'invalid', message: 'extensions is too long' };
    try {
      value = JSON.parse(value);
    } catch {
      return { kind: 'invalid', message: 'extensions is not valid JSON' };
    }
  }
  if (value === undefined || value === null) return { kind: 'none' };
  if (typeof value !== 'object' || Array.isArray(value)) return { kind: 'invalid', message: 'extensions must be an object' };
  const persisted = (value as Record<string, unknown>).persistedQuery;
  if (persisted === undefined || persisted === null) return { kind: 'none' };
  if (typeof persisted !== 'object' || Array.isArray(persisted)) return { kind: 'invalid', message: 'extensions.persistedQuery must be an object' };
  const { version, sha256Hash } = persisted as Record<string, unknown>;
  if (version !== 1) return { kind: 'invalid', message: 'Unsupported persisted query version' };
  if (typeof sha256Hash !== 'string' || sha256Hash.length === 0 || sha256Hash.length > maxIdLength) {
    return { kind: 'invalid', message: `extensions.persistedQuery.sha256Hash must be a string of 1 to ${maxIdLength} characters` };
  }
  return { kind: 'id', id: sha256Hash };
}
