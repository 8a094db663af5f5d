import { parse } from 'graphql';
import type { ListedOperation } from './operation-list';

const format = 'apollo-persisted-query-manifest';

/** What a list may hold here; the registry holds variants' lists to the same bounds. */
export const listLimits = { maxOperations: 20_000, maxBodyChars: 100_000, maxBodyTokens: 50_000 } as const;

const operationTypes: readonly string[] = ['query', 'mutation', 'subscription'];

/** A manifest or list that cannot be used; the message names what is wrong. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/**
 * Reads an Apollo persisted query manifest (`@apollo/generate-persisted-query-manifest`'s format,
 * which is also what the registry serves) into its operations. Refuses the whole of it, naming
 * the first problems, rather than serving part of a list.
 */
export function readManifest(text: string, origin: string): ListedOperation[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`${origin} is not JSON: ${(err as Error).message}`);
  }
  if (!isRecord(json) || json.format !== format || json.version !== 1 || !Array.isArray(json.operations)) {
    throw new ManifestError(`${origin} is not an Apollo persisted query manifest ({ "format": "${format}", "version": 1, "operations": [...] })`);
  }
  if (json.operations.length > listLimits.maxOperations) {
    throw new ManifestError(`${origin} lists ${json.operations.length} operations, more than ${listLimits.maxOperations}`);
  }
  const problems: string[] = [];
  const byId = new Map<string, ListedOperation>();
  json.operations.forEach((entry: unknown, index: number) => {
    const problem = problemOf(entry);
    const operation = entry as ListedOperation;
    const earlier = problem ? undefined : byId.get(operation.id);
    if (problem) problems.push(`operations[${index}]: ${problem}`);
    else if (earlier && earlier.body !== operation.body) problems.push(`operations[${index}]: id ${operation.id} is listed twice with different bodies`);
    else byId.set(operation.id, { id: operation.id, name: operation.name, type: operation.type, body: operation.body });
  });
  if (problems.length > 0) throw new ManifestError(`${origin} is not usable: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? `; and ${problems.length - 10} more` : ''}`);
  return [...byId.values()];
}

function problemOf(entry: unknown): string | null {
  if (!isRecord(entry)) return 'must be an object with id, name, type and body';
  const { id, name, type, body } = entry;
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) return 'id must be a string of 1 to 256 characters';
  if (typeof name !== 'string') return 'name must be a string';
  if (typeof type !== 'string' || !operationTypes.includes(type)) return 'type must be query, mutation or subscription';
  if (typeof body !== 'string' || body.length === 0 || body.length > listLimits.maxBodyChars) {
    return `body must be a GraphQL document of 1 to ${listLimits.maxBodyChars} characters`;
  }
  try {
    parse(body, { noLocation: true, maxTokens: listLimits.maxBodyTokens });
  } catch (err) {
    return `body of ${name} does not parse: ${(err as Error).message}`;
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
