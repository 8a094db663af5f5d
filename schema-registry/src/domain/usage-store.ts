import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
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

function inChunks<T>(rows: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

export const signatureHashOf = (signature: string): string => createHash('sha256').update(signature).digest('hex');

/**
 * Adds a batch's counts into the hour bucket its window started in; a resent batch counts twice.
 * A batch of any size is one transaction: it is stored whole or not at all.
 */
export async function recordUsage(em: EntityManager, variantId: string, windowStart: Date, operations: OperationUsage[]): Promise<void> {
  const knex = (em as SqlEntityManager).getKnex();
  const bucketHour = hourOf(windowStart);
  const signatures = new Map<string, OperationUsage>();
  const counts = new Map<string, { signature_hash: string; client_name: string; client_version: string; count: number }>();
  for (const op of operations) {
    const hash = signatureHashOf(op.signature);
    signatures.set(hash, op);
    const key = JSON.stringify([hash, op.clientName, op.clientVersion]);
    const row = counts.get(key) ?? { signature_hash: hash, client_name: op.clientName, client_version: op.clientVersion, count: 0 };
    row.count += op.count;
    counts.set(key, row);
  }
  const operationRows = [...signatures].map(([hash, op]) => ({
    variant_id: variantId,
    signature_hash: hash,
    operation_name: op.operationName,
    signature: op.signature,
    coordinates: JSON.stringify([...new Set(op.coordinates)].sort()),
  }));
  const countRows = [...counts.values()].map((row) => ({ ...row, variant_id: variantId, bucket_hour: bucketHour }));
  await knex.transaction(async (trx) => {
    // The newest report says which coordinates a signature touches now.
    for (const chunk of inChunks(operationRows, rowsPerInsert)) {
      await trx('usage_operations').insert(chunk).onConflict(['variant_id', 'signature_hash']).merge(['coordinates', 'operation_name']);
    }
    // Each key is in the batch once (summed above): PostgreSQL refuses an upsert touching a row twice.
    for (const chunk of inChunks(countRows, rowsPerInsert)) {
      await trx('usage_counts')
        .insert(chunk)
        .onConflict(['variant_id', 'signature_hash', 'client_name', 'client_version', 'bucket_hour'])
        .merge({ count: trx.raw('usage_counts.count + excluded.count') });
    }
  });
}

/** Usage of every operation by every client in the hour buckets from `since` (rounded down to the hour) on. */
export async function usageSince(em: EntityManager, variantId: string, since: Date): Promise<UsageRow[]> {
  const knex = (em as SqlEntityManager).getKnex();
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
