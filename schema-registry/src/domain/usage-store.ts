import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/core';
import { badInput, likeContaining, likeEscapeClause, likeEscaped } from '@ficus/kit';
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
  /** Requests in the report's window, 1 to `maxRequestsPerLine`. */
  count: number;
}

/**
 * The most requests one usage line may count. Counts are summed per operation, client and hour
 * in 64-bit integers, and over a check's window again: a line of 2^64 (a protobuf report's
 * uint64) made the sum fail on PostgreSQL, and 1,024 lines of 2^53 overflow it. A billion per
 * line is far beyond what a gateway serves one operation in a report's minute.
 */
export const maxRequestsPerLine = 1_000_000_000;

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

export function inChunks<T>(rows: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

export const signatureHashOf = (signature: string): string => createHash('sha256').update(signature).digest('hex');

const knexOf = (em: EntityManager): Knex => (em as SqlEntityManager).getKnex();

/**
 * A batch's rows travel to the database as one JSON array bound to one parameter, whatever their
 * number: the statement's text is short and the same for every batch (knex spent more time
 * building, and SQLite preparing, inserts of thousands of placeholders than storing their rows),
 * and no cap on bound parameters or compound SELECT terms applies. `rows` is the table of the
 * array's elements, each element an array read with `value ->> i`.
 */
interface JsonRows {
  /** Elements that are arrays, as rows with a column `value`. */
  rows: string;
  /** `IN` the strings of the array: PostgreSQL plans a set-returning function's rows as 100 and would scan the table for them, an array it looks up one by one. */
  inTexts: string;
}

function jsonRowsOf(knex: Knex): JsonRows {
  return (knex.client as { dialect: string }).dialect === 'postgresql'
    ? { rows: 'json_array_elements(CAST(? AS json)) AS e(value)', inTexts: '= ANY(ARRAY(SELECT json_array_elements_text(CAST(? AS json))))' }
    : { rows: 'json_each(?)', inTexts: 'IN (SELECT value FROM json_each(?))' };
}

/** Rows of a `knex.raw` answer: an array on SQLite, `{ rows }` on PostgreSQL. */
const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows);

interface ReportedOperation {
  op: OperationUsage;
  /** Its distinct coordinates, sorted, as JSON. */
  coordinates: string;
}

/**
 * Adds a batch's counts into the hour bucket its window started in; a resent batch counts twice.
 * Per operation (keyed by its signature's hash, numbered when first stored) the signature and its
 * coordinates are stored once; requests are added up per operation, client and hour. A batch is
 * one transaction (stored whole or not at all, so a gateway's resend of an unanswered batch never
 * counts part of it twice) of four statements whatever its size.
 */
export async function recordUsage(em: EntityManager, variantId: string, windowStart: Date, operations: OperationUsage[]): Promise<void> {
  assertNotDatedAhead(windowStart);
  assertNoNul(operations);
  const bucketHour = hourOf(windowStart);
  const signatures = new Map<string, ReportedOperation>();
  const counts = new Map<string, { hash: string; clientName: string; clientVersion: string; count: number }>();
  for (const reported of operations) {
    const op = storable(reported);
    const hash = signatureHashOf(op.signature);
    signatures.set(hash, { op, coordinates: JSON.stringify([...new Set(op.coordinates)].sort()) });
    const key = `${hash}\u0000${op.clientName}\u0000${op.clientVersion}`;
    const row = counts.get(key);
    if (row) row.count += op.count;
    else counts.set(key, { hash, clientName: op.clientName, clientVersion: op.clientVersion, count: op.count });
  }
  const knex = knexOf(em);
  const json = jsonRowsOf(knex);
  await knex.transaction(async (trx) => {
    const ids = await storeOperations(trx, json, variantId, signatures);
    // Each key is in the batch once (summed above): PostgreSQL refuses an upsert touching a row twice.
    const rows = [...counts.values()].map((row) => [ids.get(row.hash)!, row.clientName, row.clientVersion, row.count]);
    await trx.raw(
      'INSERT INTO usage_counts (variant_id, operation_id, client_name, client_version, bucket_hour, count) ' +
        `SELECT ?, CAST(value ->> 0 AS INTEGER), value ->> 1, value ->> 2, CAST(? AS INTEGER), CAST(value ->> 3 AS BIGINT) FROM ${json.rows} ` +
        // WHERE true: without it SQLite reads ON CONFLICT as a join's ON.
        'WHERE true ON CONFLICT (variant_id, operation_id, client_name, client_version, bucket_hour) DO UPDATE SET count = usage_counts.count + excluded.count',
      [variantId, bucketHour, JSON.stringify(rows)],
    );
  });
}

/**
 * The operation's texts as the database keeps them: a lone UTF-16 surrogate becomes U+FFFD, as
 * the drivers encode a bound string; in a JSON parameter PostgreSQL would refuse it. (The
 * signature's hash is the same either way: sha256 reads the string as UTF-8 the same way.)
 */
function storable(op: OperationUsage): OperationUsage {
  const texts = [op.signature, op.operationName ?? '', op.clientName, op.clientVersion];
  if (texts.every((text) => text.isWellFormed())) return op;
  return {
    ...op,
    signature: op.signature.toWellFormed(),
    operationName: op.operationName?.toWellFormed() ?? null,
    clientName: op.clientName.toWellFormed(),
    clientVersion: op.clientVersion.toWellFormed(),
  };
}

/** How far ahead of the registry's clock a report's window may start: gateways' clocks drift a little. */
const clockSkewMs = 5 * 60_000;

/**
 * Usage is counted in the hour its window started, and a check reads every hour from the start of
 * its validation period on: usage dated ahead (a gateway's clock far off, a forged report) would
 * count in every check until that hour comes, so it is refused.
 */
function assertNotDatedAhead(windowStart: Date): void {
  const now = new Date();
  const start = windowStart.getTime();
  if (!Number.isFinite(start)) throw badInput('the usage window starts at a time that cannot be read');
  if (start > now.getTime() + clockSkewMs) {
    throw badInput(`the usage window starts at ${windowStart.toISOString()}, after the registry's clock (${now.toISOString()}) by more than ${clockSkewMs / 60_000} minutes: is the gateway's clock right?`);
  }
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
 * Stores operations not seen before, and the name and coordinates of those whose name or
 * coordinates changed (the newest report says what a signature touches now); answers every
 * operation's number by its hash. An operation already stored as reported costs one indexed
 * read: nothing of it is written again.
 */
async function storeOperations(trx: Knex.Transaction, json: JsonRows, variantId: string, batch: Map<string, ReportedOperation>): Promise<Map<string, number>> {
  const stored = rowsOf<{ id: number; signature_hash: string; operation_name: string | null; coordinates: string }>(
    await trx.raw(
      'SELECT o.id, o.signature_hash, o.operation_name, k.coordinates FROM usage_operations o ' +
        'JOIN usage_operation_coordinates k ON k.operation_id = o.id ' +
        `WHERE o.variant_id = ? AND o.signature_hash ${json.inTexts}`,
      [variantId, JSON.stringify([...batch.keys()])],
    ),
  );
  const ids = new Map<string, number>();
  for (const row of stored) {
    const reported = batch.get(row.signature_hash)!;
    if (row.coordinates === reported.coordinates && row.operation_name === reported.op.operationName) ids.set(row.signature_hash, Number(row.id));
  }
  const toWrite = [...batch].filter(([hash]) => !ids.has(hash));
  if (toWrite.length === 0) return ids;
  // Another batch may store the same new operation at the same time: the later one updates it.
  const written = rowsOf<{ id: number; signature_hash: string }>(
    await trx.raw(
      'INSERT INTO usage_operations (variant_id, signature_hash, operation_name, signature) ' +
        `SELECT ?, value ->> 0, value ->> 1, value ->> 2 FROM ${json.rows} ` +
        'WHERE true ON CONFLICT (variant_id, signature_hash) DO UPDATE SET operation_name = excluded.operation_name RETURNING id, signature_hash',
      [variantId, JSON.stringify(toWrite.map(([hash, { op }]) => [hash, op.operationName, op.signature]))],
    ),
  );
  for (const row of written) ids.set(row.signature_hash, Number(row.id));
  await trx.raw(
    'INSERT INTO usage_operation_coordinates (operation_id, variant_id, coordinates) ' +
      `SELECT CAST(value ->> 0 AS INTEGER), ?, value ->> 1 FROM ${json.rows} ` +
      'WHERE true ON CONFLICT (operation_id) DO UPDATE SET coordinates = excluded.coordinates',
    [variantId, JSON.stringify(toWrite.map(([hash, { coordinates }]) => [ids.get(hash)!, coordinates]))],
  );
  return ids;
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
  }[] = await joinOperation(knex('usage_counts as c'))
    .join('usage_operation_coordinates as k', 'k.operation_id', 'c.operation_id')
    .where('c.variant_id', variantId)
    .andWhere('c.bucket_hour', '>=', hourOf(since))
    .groupBy('o.signature_hash', 'o.operation_name', 'k.coordinates', 'c.client_name', 'c.client_version')
    // By signature hash, client and version on SQLite and PostgreSQL alike: equal counts keep this order in a report.
    .orderBy(['o.signature_hash', 'c.client_name', 'c.client_version'])
    .select('o.signature_hash', 'o.operation_name', 'k.coordinates', 'c.client_name', 'c.client_version')
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
  const variantCounts = () => knex('usage_counts as c').where('c.variant_id', variantId);
  const inWindow = () => variantCounts().andWhere('c.bucket_hour', '>=', fromHour);
  // The window's hours as a filter only (`+` hides the column from the planner): SQLite, which keeps
  // no statistics here, otherwise reads a few operations' counts by scanning every row of the window
  // through the hour index (18 ms per 150 operations on the bench's 120,000 rows) where the primary
  // key finds each operation's rows (1.5 ms).
  const ofOperationsInWindow = (ids: number[]) => variantCounts().andWhereRaw('+c.bucket_hour >= ?', [fromHour]).whereIn('c.operation_id', ids);
  // Scanned a range of operation numbers at a time, each statement in a turn of the event loop of
  // its own: SQLite runs them on this thread, and one aggregate over the whole window held it for
  // 30-40 ms (on the bench's 100,000 operations), two in a row for 75 ms. Counting distinct
  // operations per range also avoids sorting them all at once. The ranges cover every number, so
  // their sums add up to the window's.
  const [stored] = await inATurnOfItsOwn(
    knex('usage_operation_coordinates').where('variant_id', variantId).min({ low: 'operation_id' }).max({ high: 'operation_id' }).count({ n: '*' }),
  );
  const ranges = idRanges(Number(stored?.low ?? 0), Number(stored?.high ?? 0), Number(stored?.n ?? 0));
  let totalRequests = 0;
  let checkedOperations = 0;
  for (const range of ranges) {
    const [inRange] = await inATurnOfItsOwn(inIdRange(inWindow(), 'c.operation_id', range).sum({ total: 'c.count' }));
    totalRequests += Number(inRange?.total ?? 0);
    const checkedQuery = inIdRange(exclusions.excludedOperationNames.length > 0 ? joinOperation(inWindow()) : inWindow(), 'c.operation_id', range);
    const [checked] = await inATurnOfItsOwn(withoutExcluded(knex, checkedQuery, exclusions).countDistinct({ n: 'c.operation_id' }));
    checkedOperations += Number(checked?.n ?? 0);
  }
  // LIKE on the coordinates' JSON text narrows the scan in the database; the parsed list decides.
  const patterns = [...touched.exact.map((c) => likeContaining(JSON.stringify(c))), ...touched.typePrefixes.map((p) => `%"${likeEscaped(p)}%`)];
  const touching = new Map<string, { id: number; coordinates: string[] }>();
  for (const range of ranges) {
    for (const chunk of inChunks(patterns, 100)) {
      const candidates: { id: number; signature_hash: string; coordinates: string }[] = await inATurnOfItsOwn(
        inIdRange(knex('usage_operation_coordinates as k').join('usage_operations as o', 'o.id', 'k.operation_id').where('k.variant_id', variantId), 'k.operation_id', range)
          .andWhere((q) => {
            for (const pattern of chunk) q.orWhereRaw(`k.coordinates LIKE ? ${likeEscapeClause}`, [pattern]);
          })
          .select('o.id', 'o.signature_hash', 'k.coordinates'),
      );
      for (const row of candidates) {
        if (touching.has(row.signature_hash)) continue;
        const coordinates = (JSON.parse(row.coordinates) as string[]).filter((c) => touched.accepts(c));
        if (coordinates.length > 0) touching.set(row.signature_hash, { id: Number(row.id), coordinates });
      }
    }
  }
  const rows: UsageRow[] = [];
  for (const chunk of inChunks([...touching.keys()].sort(), operationsPerCount)) {
    const ids = chunk.map((hash) => touching.get(hash)!.id);
    const counted: { signature_hash: string; operation_name: string | null; client_name: string; client_version: string; count: string | number }[] =
      await inATurnOfItsOwn(
        withoutExcluded(knex, joinOperation(ofOperationsInWindow(ids)), exclusions)
          .groupBy('o.signature_hash', 'o.operation_name', 'c.client_name', 'c.client_version')
          .select('o.signature_hash', 'o.operation_name', 'c.client_name', 'c.client_version')
          .sum({ count: 'c.count' })
          .orderBy(['o.signature_hash', 'c.client_name', 'c.client_version']),
      );
    for (const row of counted) {
      rows.push({
        signatureHash: row.signature_hash,
        operationName: row.operation_name,
        coordinates: touching.get(row.signature_hash)!.coordinates,
        clientName: row.client_name,
        clientVersion: row.client_version,
        count: Number(row.count),
      });
    }
  }
  return { totalRequests, checkedOperations, rows };
}

/**
 * Runs a built query after the event loop's next turn: on SQLite it runs on this thread, so no two
 * statements of a check's usage read hold the loop in a row. A knex builder runs when awaited.
 */
async function inATurnOfItsOwn<T>(query: PromiseLike<T>): Promise<T> {
  await setImmediate();
  return query;
}

/** Operations scanned per query of the coordinates: on SQLite a few milliseconds of the event loop each. */
const operationsPerScan = 5_000;

/**
 * Operations whose clients one query counts (an `IN (…)` list, well under SQLite's cap of 999
 * bound parameters before 3.32): on SQLite about 2 ms of the event loop.
 */
const operationsPerCount = 150;

/**
 * Ranges of operation numbers (evenly spread from `low` to `high`) that split a scan of about
 * `operations` operations into scans of `operationsPerScan`; the first range is open below and
 * the last above (null), so no number is left out.
 */
export function idRanges(low: number, high: number, operations: number): [number | null, number | null][] {
  const count = Math.min(256, Math.max(1, Math.ceil(operations / operationsPerScan)));
  const bound = (i: number) => low + Math.floor((i * (high + 1 - low)) / count);
  return Array.from({ length: count }, (_, i) => [i === 0 ? null : bound(i), i === count - 1 ? null : bound(i + 1)]);
}

const inIdRange = (query: Knex.QueryBuilder, column: string, [low, high]: [number | null, number | null]): Knex.QueryBuilder => {
  if (low !== null) query.andWhere(column, '>=', low);
  if (high !== null) query.andWhere(column, '<', high);
  return query;
};

const joinOperation = (query: Knex.QueryBuilder): Knex.QueryBuilder => query.join('usage_operations as o', 'o.id', 'c.operation_id');


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
