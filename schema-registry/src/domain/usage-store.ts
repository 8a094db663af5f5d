import { createHash } from 'node:crypto';
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
 * Rows per INSERT. knex writes a multi-row insert on SQLite as one compound SELECT, which SQLite
 * caps at 500 terms (SQLITE_MAX_COMPOUND_SELECT), so a batch of 1,000 operations failed; SQLite
 * builds before 3.32 also cap bound parameters at 999. 100 rows of at most 6 columns stay under
 * both, and far under PostgreSQL's 65,535 parameters.
 */
const rowsPerInsert = 100;
/** Values in one `IN (…)` list, under the same 999-parameter cap. */
const valuesPerList = 500;

export function inChunks<T>(rows: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

export const signatureHashOf = (signature: string): string => createHash('sha256').update(signature).digest('hex');

const knexOf = (em: EntityManager): Knex => (em as SqlEntityManager).getKnex();

interface CountRow {
  client_name: string;
  client_version: string;
  count: number;
}

/**
 * Adds a batch's counts into the hour bucket its window started in; a resent batch counts twice.
 * Per operation (keyed by its signature's hash) the signature and its coordinates are stored
 * once; requests are added up per operation and client, and per coordinate and client. A batch
 * is one transaction (stored whole or not at all, so a gateway's resend of an unanswered batch
 * never counts part of it twice), written in statements of bounded size.
 */
export async function recordUsage(em: EntityManager, variantId: string, windowStart: Date, operations: OperationUsage[]): Promise<void> {
  assertNoNul(operations);
  const bucketHour = hourOf(windowStart);
  const signatures = new Map<string, { op: OperationUsage; coordinates: string }>();
  const counts = new Map<string, CountRow & { signature_hash: string }>();
  const fieldCounts = new Map<string, { coordinate: string; count: number }>();
  for (const op of operations) {
    const hash = signatureHashOf(op.signature);
    const coordinates = [...new Set(op.coordinates)].sort();
    signatures.set(hash, { op, coordinates: JSON.stringify(coordinates) });
    add(counts, JSON.stringify([hash, op.clientName, op.clientVersion]), { signature_hash: hash, client_name: op.clientName, client_version: op.clientVersion }, op.count);
    for (const coordinate of coordinates) {
      const field = fieldCounts.get(coordinate);
      if (field) field.count += op.count;
      else fieldCounts.set(coordinate, { coordinate, count: op.count });
    }
  }
  const scoped = <T extends object>(rows: Iterable<T>) => [...rows].map((row) => ({ ...row, variant_id: variantId, bucket_hour: bucketHour }));
  await knexOf(em).transaction(async (trx) => {
    for (const chunk of inChunks([...signatures], rowsPerInsert)) await storeOperations(trx, variantId, new Map(chunk));
    // Each key is in the batch once (summed above): PostgreSQL refuses an upsert touching a row twice.
    for (const chunk of inChunks(scoped(counts.values()), rowsPerInsert)) {
      await trx('usage_counts')
        .insert(chunk)
        .onConflict(['variant_id', 'signature_hash', 'client_name', 'client_version', 'bucket_hour'])
        .merge({ count: trx.raw('usage_counts.count + excluded.count') });
    }
    for (const chunk of inChunks(scoped(fieldCounts.values()), rowsPerInsert)) {
      await trx('usage_field_counts')
        .insert(chunk)
        .onConflict(['variant_id', 'bucket_hour', 'coordinate'])
        .merge({ count: trx.raw('usage_field_counts.count + excluded.count') });
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

function add<T extends CountRow>(into: Map<string, T>, key: string, row: Omit<T, 'count'>, count: number): void {
  const existing = into.get(key);
  if (existing) existing.count += count;
  else into.set(key, { ...row, count } as T);
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
  await trx('usage_operation_coordinates')
    .insert(toIndex.map(([hash, { coordinates }]) => ({ variant_id: variantId, signature_hash: hash, coordinates })))
    .onConflict(['variant_id', 'signature_hash'])
    .merge(['coordinates']);
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
  /** Usage (not excluded) of the operations that touch a coordinate `wanted` accepts; `coordinates` holds only those. */
  rows: UsageRow[];
}

export interface UsageExclusions {
  excludedClients: string[];
  excludedOperationNames: string[];
}

/**
 * A check's view of the window from `since` (rounded down to the hour) on, without loading
 * every operation: the coordinates used in the window come from the per-coordinate counts,
 * and only operations touching one that `wanted` accepts are read, with their clients.
 */
export async function usageWindow(
  em: EntityManager,
  variantId: string,
  since: Date,
  exclusions: UsageExclusions,
  wanted: (coordinate: string) => boolean,
): Promise<UsageWindow> {
  const knex = knexOf(em);
  const fromHour = hourOf(since);
  const inWindow = () => knex('usage_counts as c').where('c.variant_id', variantId).andWhere('c.bucket_hour', '>=', fromHour);
  const [total] = await inWindow().sum({ total: 'c.count' });
  const checkedQuery = exclusions.excludedOperationNames.length > 0 ? joinOperation(inWindow()) : inWindow();
  const [checked] = await withoutExcluded(knex, checkedQuery, exclusions).countDistinct({ n: 'c.signature_hash' });
  const used: { coordinate: string }[] = await knex('usage_field_counts')
    .where('variant_id', variantId)
    .andWhere('bucket_hour', '>=', fromHour)
    .distinct('coordinate');
  const coordinates = used.map((row) => row.coordinate).filter(wanted);
  const touching = new Map<string, string[]>();
  // LIKE on the JSON text narrows the scan in the database; the parsed list decides exactly.
  const wantedHere = new Set(coordinates);
  for (const chunk of inChunks(coordinates, 100)) {
    const candidates: { signature_hash: string; coordinates: string }[] = await knex('usage_operation_coordinates')
      .where('variant_id', variantId)
      .andWhere((q) => {
        for (const coordinate of chunk) q.orWhereRaw("coordinates LIKE ? ESCAPE '\\'", [`%${likeEscaped(JSON.stringify(coordinate))}%`]);
      })
      .select('signature_hash', 'coordinates');
    for (const row of candidates) {
      const touched = (JSON.parse(row.coordinates) as string[]).filter((c) => wantedHere.has(c));
      if (touched.length > 0) touching.set(row.signature_hash, touched);
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
  return { totalRequests: Number(total?.total ?? 0), checkedOperations: Number(checked?.n ?? 0), rows };
}

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
