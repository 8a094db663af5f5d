import { badInput } from './errors';

/** Opaque cursors: base64url of a sort key, so clients cannot depend on their content. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  // A key holding U+0000 is none of ours, and PostgreSQL and SQLite cannot compare against it.
  if (!key || key.includes('\0') || encodeCursor(key) !== cursor) throw badInput('after is not a cursor from this API');
  return key;
}

/** The largest `first` a paginated field accepts unless it says otherwise (the subgraph's limits refuse more before resolvers run). */
export const maxPageSize = 100;

/** Page sizes are bounded so a client cannot ask for the whole table at once. */
export function pageSize(first: number | null | undefined, max = maxPageSize): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 0 || size > max) throw badInput(`first must be between 0 and ${max}`);
  return size;
}
