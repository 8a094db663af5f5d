import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/core';
import { badInput } from '@ficus/kit';
import type { Knex } from '@mikro-orm/knex';
import type { SqlEntityManager } from '@mikro-orm/knex';

/** One line of a gateway's usage report: how often one operation was served to one client. */
export interface OperationUsage {
  /** The normalized operation signature (literals stripped, sorted), as Apollo's usage reporting makes it. */
  signature: string;
  operationName: string | null;
  clientName: string;
  clientVersion: string;
  /** The schema coordinates the operation touched: `Query.products`, `Product.sku`. */
  coordinates: string[];
  count: number;
}

/** Aggregated usage of one operation by one client over a window. */
export interface UsageRow {
  signatureHash: string;
  operationName: string | null;
  coordinates: string[];
  clientName: string;
  clientVersion: string;
  count: number;
}

const hourOf = (date: Date): number => Math.floor(date.getTime() / 3_600_000);

/**
 * Rows per INSERT of rows with `columns` values. knex writes a multi-row insert on SQLite as one
 * compound SELECT, which SQLite caps at 500 terms (SQLITE_MAX_COMPOUND_SELECT), so a batch of
 * 1,000 operations failed; SQLite builds before 3.32 also cap bound parameters at 999. Both
 * stay under their caps, and far under PostgreSQL's 65,535 parameters; fewer, larger statements
 * cost less to prepare than many small ones.
 */
const rowsPerInsert = (columns: number): number => Math.min(499, Math.floor(999 / columns));
/** Values in one `IN (…)` list, under the same 999-parameter cap. */
const valuesPerList = 500;

export function inChunks<T>(rows: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

export const signatureHashOf = (signature: string): string => createHash('sha256').update(signature).digest('hex');

const knexOf = (em: EntityManager): Knex => (em as SqlEntityManager).getKnex();

/**
 * Adds a batch's counts into the hour bucket its window started in; a resent batch counts twice.
 * Per operation (keyed by its signature's hash) the signature and its coordinates are stored
 * once; requests are added up per operation, client and hour. A batch is one transaction
 * (stored whole or not at all, so a gateway's resend of an unanswered batch never counts part of
 * it twice), written in statements of bounded size.
 */
export async function recordUsage(em: EntityManager, variantId: string, windowStart: Date, operations: OperationUsage[]): Promise<void> {
  assertNoNul(operations);
  const bucketHour = hourOf(windowStart);
  const signatures = new Map<string, { op: OperationUsage; coordinates: string }>();
  const counts = new Map<string, { signature_hash: string; client_name: string; client_version: string; count: number }>();
  for (const op of operations) {
    const hash = signatureHashOf(op.signature);
    const coordinates = [...new Set(op.coordinates)].sort();
    signatures.set(hash, { op, coordinates: JSON.stringify(coordinates) });
    const key = JSON.stringify([hash, op.clientName, op.clientVersion]);
    const row = counts.get(key) ?? { signature_hash: hash, client_name: op.clientName, client_version: op.clientVersion, count: 0 };
    row.count += op.count;
    counts.set(key, row);
  }
  const countRows = [...counts.values()].map((row) => ({ ...row, variant_id: variantId, bucket_hour: bucketHour }));
  await knexOf(em).transaction(async (trx) => {
    for (const chunk of inChunks([...signatures], rowsPerInsert(5))) await storeOperations(trx, variantId, new Map(chunk));
    // Each key is in the batch once (summed above): PostgreSQL refuses an upsert touching a row twice.
    for (const chunk of inChunks(countRows, rowsPerInsert(6))) {
      await trx('usage_counts')
        .insert(chunk)
        .onConflict(['variant_id', 'signature_hash', 'client_name', 'client_version', 'bucket_hour'])
        .merge({ count: trx.raw('usage_counts.count + excluded.count') });
    }
  });
}

/**
 * PostgreSQL cannot store U+0000 in text (SQLite can, but the store must behave the same on
 * both): a report holding one is refused whole, naming where it is.
 */
function assertNoNul(operations: OperationUsage[]): void {
  operations.forEach((op, i) => {
    const fields = { signature: op.signature, operationName: op.operationName ?? '', clientName: op.clientName, clientVersion: op.clientVersion };
    for (const [field, text] of Object.entries(fields)) {
      if (text.includes('\u0000')) throw badInput(`operations[${i}].${field} contains a NUL character (\\u0000), which usage may not hold`);
    }
    const at = op.coordinates.findIndex((c) => c.includes('\u0000'));
    if (at >= 0) throw badInput(`operations[${i}].coordinates[${at}] contains a NUL character (\\u0000), which usage may not hold`);
  });
}

/**
 * Stores operations not seen before, and the coordinates of those whose coordinates changed
 * (the newest report says what a signature touches now). An operation already stored as
 * reported costs one indexed read: its signature is not written again.
 */
async function storeOperations(trx: Knex.Transaction, variantId: string, batch: Map<string, { op: OperationUsage; coordinates: string }>): Promise<void> {
  const stored: { signature_hash: string; operation_name: string | null; coordinates: string }[] = await trx('usage_operations')
    .where('variant_id', variantId)
    .whereIn('signature_hash', [...batch.keys()])
    .select('signature_hash', 'operation_name', 'coordinates');
  const known = new Map(stored.map((row) => [row.signature_hash, row]));
  const fresh: [string, { op: OperationUsage; coordinates: string }][] = [];
  const changed: [string, { op: OperationUsage; coordinates: string }][] = [];
  for (const entry of batch) {
    const before = known.get(entry[0]);
    if (!before) fresh.push(entry);
    else if (before.coordinates !== entry[1].coordinates || before.operation_name !== entry[1].op.operationName) changed.push(entry);
  }
  const rowOf = ([hash, { op, coordinates }]: [string, { op: OperationUsage; coordinates: string }]) => ({
    variant_id: variantId,
    signature_hash: hash,
    operation_name: op.operationName,
    signature: op.signature,
    coordinates,
  });
  const toIndex = [...fresh, ...changed];
  if (toIndex.length === 0) return;
  // Another batch may store the same new operation at the same time: the later one updates it.
  await trx('usage_operations')
    .insert(toIndex.map(rowOf))
    .onConflict(['variant_id', 'signature_hash'])
    .merge(['coordinates', 'operation_name']);
  // Copied from the rows just written, so the coordinates are not sent a second time.
  const hashes = toIndex.map(([hash]) => hash);
  await trx.raw(
    'INSERT INTO usage_operation_coordinates (variant_id, signature_hash, coordinates) ' +
      `SELECT variant_id, signature_hash, coordinates FROM usage_operations WHERE variant_id = ? AND signature_hash IN (${hashes.map(() => '?').join(', ')}) ` +
      'ON CONFLICT (variant_id, signature_hash) DO UPDATE SET coordinates = excluded.coordinates',
    [variantId, ...hashes],
  );
}

/** Usage of every operation by every client in the hour buckets from `since` (rounded down to the hour) on. */
export async function usageSince(em: EntityManager, variantId: string, since: Date): Promise<UsageRow[]> {
  const knex = knexOf(em);
  const rows: {
    signature_hash: string;
    operation_name: string | null;
    coordinates: string;
    client_name: string;
    client_version: string;
    count: string | number;
  }[] = await knex('usage_counts as c')
    .join('usage_operations as o', function joinOperation() {
      this.on('o.variant_id', '=', 'c.variant_id').andOn('o.signature_hash', '=', 'c.signature_hash');
    })
    .where('c.variant_id', variantId)
    .andWhere('c.bucket_hour', '>=', hourOf(since))
    .groupBy('c.signature_hash', 'o.operation_name', 'o.coordinates', 'c.client_name', 'c.client_version')
    // The order SQLite groups in, on PostgreSQL too: equal counts keep it in a report.
    .orderBy(['c.signature_hash', 'c.client_name', 'c.client_version'])
    .select('c.signature_hash', 'o.operation_name', 'o.coordinates', 'c.client_name', 'c.client_version')
    .sum({ count: 'c.count' });
  return rows.map((row) => ({
    signatureHash: row.signature_hash,
    operationName: row.operation_name,
    coordinates: JSON.parse(row.coordinates) as string[],
    clientName: row.client_name,
    clientVersion: row.client_version,
    count: Number(row.count),
  }));
}

/** What a check weighs its breaking changes against. */
export interface UsageWindow {
  /** Every request in the window, excluded clients and operations included. */
  totalRequests: number;
  /** Distinct operations in the window that are not excluded. */
  checkedOperations: number;
  /** Usage (not excluded) of the operations touching a coordinate a check looks for; `coordinates` holds only those. */
  rows: UsageRow[];
}

export interface UsageExclusions {
  excludedClients: string[];
  excludedOperationNames: string[];
}

/** Coordinates a check looks for: `exact` ones, any starting with one of `typePrefixes` (`Type.`); `accepts` decides. */
export interface TouchedCoordinates {
  exact: string[];
  typePrefixes: string[];
  accepts(coordinate: string): boolean;
}

/**
 * A check's view of the window from `since` (rounded down to the hour) on, without loading
 * every operation: two aggregates over the window's counts, then only the operations whose
 * coordinates `touched` accepts, with their clients.
 */
export async function usageWindow(
  em: EntityManager,
  variantId: string,
  since: Date,
  exclusions: UsageExclusions,
  touched: TouchedCoordinates,
): Promise<UsageWindow> {
  const knex = knexOf(em);
  const fromHour = hourOf(since);
  const inWindow = () => knex('usage_counts as c').where('c.variant_id', variantId).andWhere('c.bucket_hour', '>=', fromHour);
  const [total] = await inWindow().sum({ total: 'c.count' });
  // Scanned a range of signature hashes at a time: each scan is short (SQLite runs it on this
  // thread), and counting distinct operations per range avoids sorting them all at once.
  const [stored] = await knex('usage_operation_coordinates').where('variant_id', variantId).count({ n: '*' });
  const ranges = hashRanges(Number(stored?.n ?? 0));
  let checkedOperations = 0;
  for (const range of ranges) {
    const checkedQuery = inHashRange(exclusions.excludedOperationNames.length > 0 ? joinOperation(inWindow()) : inWindow(), 'c.signature_hash', range);
    const [checked] = await withoutExcluded(knex, checkedQuery, exclusions).countDistinct({ n: 'c.signature_hash' });
    checkedOperations += Number(checked?.n ?? 0);
    await setImmediate();
  }
  // LIKE on the coordinates' JSON text narrows the scan in the database; the parsed list decides.
  const patterns = [...touched.exact.map((c) => `%${likeEscaped(JSON.stringify(c))}%`), ...touched.typePrefixes.map((p) => `%"${likeEscaped(p)}%`)];
  const touching = new Map<string, string[]>();
  for (const range of ranges) {
    for (const chunk of inChunks(patterns, 100)) {
      const candidates: { signature_hash: string; coordinates: string }[] = await inHashRange(
        knex('usage_operation_coordinates').where('variant_id', variantId),
        'signature_hash',
        range,
      )
        .andWhere((q) => {
          for (const pattern of chunk) q.orWhereRaw("coordinates LIKE ? ESCAPE '\\'", [pattern]);
        })
        .select('signature_hash', 'coordinates');
      for (const row of candidates) {
        if (touching.has(row.signature_hash)) continue;
        const coordinates = (JSON.parse(row.coordinates) as string[]).filter((c) => touched.accepts(c));
        if (coordinates.length > 0) touching.set(row.signature_hash, coordinates);
      }
      // SQLite answers on this thread: between scans, /health and usage reports get their turn.
      await setImmediate();
    }
  }
  const rows: UsageRow[] = [];
  for (const chunk of inChunks([...touching.keys()].sort(), valuesPerList)) {
    const counted: { signature_hash: string; operation_name: string | null; client_name: string; client_version: string; count: string | number }[] =
      await withoutExcluded(knex, joinOperation(inWindow().whereIn('c.signature_hash', chunk)), exclusions)
        .groupBy('c.signature_hash', 'o.operation_name', 'c.client_name', 'c.client_version')
        .select('c.signature_hash', 'o.operation_name', 'c.client_name', 'c.client_version')
        .sum({ count: 'c.count' })
        .orderBy(['c.signature_hash', 'c.client_name', 'c.client_version']);
    for (const row of counted) {
      rows.push({
        signatureHash: row.signature_hash,
        operationName: row.operation_name,
        coordinates: touching.get(row.signature_hash)!,
        clientName: row.client_name,
        clientVersion: row.client_version,
        count: Number(row.count),
      });
    }
  }
  return { totalRequests: Number(total?.total ?? 0), checkedOperations, rows };
}

/** Operations scanned per query of the coordinates: on SQLite about 30 ms of the event loop. */
const operationsPerScan = 5_000;

/**
 * Ranges of signature hashes (hex, evenly spread) that split a scan of about `operations`
 * operations into scans of `operationsPerScan`; the last range is open (`high` null).
 */
export function hashRanges(operations: number): [string, string | null][] {
  const count = Math.min(256, Math.max(1, Math.ceil(operations / operationsPerScan)));
  const bound = (i: number) => Math.floor((i * 256) / count).toString(16).padStart(2, '0');
  return Array.from({ length: count }, (_, i) => [i === 0 ? '' : bound(i), i === count - 1 ? null : bound(i + 1)]);
}

const inHashRange = (query: Knex.QueryBuilder, column: string, [low, high]: [string, string | null]): Knex.QueryBuilder =>
  high === null ? query.andWhere(column, '>=', low) : query.andWhere(column, '>=', low).andWhere(column, '<', high);

const joinOperation = (query: Knex.QueryBuilder): Knex.QueryBuilder =>
  query.join('usage_operations as o', function onOperation() {
    this.on('o.variant_id', '=', 'c.variant_id').andOn('o.signature_hash', '=', 'c.signature_hash');
  });

const likeEscaped = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** `query` (counts `c`, joined to operations `o` when operation names are excluded) less excluded clients and operation names. */
function withoutExcluded(knex: Knex, query: Knex.QueryBuilder, { excludedClients, excludedOperationNames }: UsageExclusions): Knex.QueryBuilder {
  if (excludedClients.length > 0) {
    query.whereNotIn('c.client_name', excludedClients).andWhere(knex.raw("c.client_name || '@' || c.client_version"), 'not in', excludedClients);
  }
  if (excludedOperationNames.length > 0) {
    query.andWhere((q) => q.whereNull('o.operation_name').orWhereNotIn('o.operation_name', excludedOperationNames));
  }
  return query;
}
