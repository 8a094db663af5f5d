import type { EntityManager } from '@mikro-orm/core';
import { usageSince } from './usage-store';

export interface FieldUsageEntry {
  coordinate: string;
  count: number;
  /** Operation names (or signature hashes of anonymous ones), sorted. */
  operations: string[];
  clients: { name: string; version: string; count: number }[];
}

export interface FieldUsage {
  from: Date;
  to: Date;
  totalRequests: number;
  fields: FieldUsageEntry[];
}

/** Turns the per-operation, per-client usage since `from` into per-field totals, most used first. */
export async function fieldUsage(em: EntityManager, variantId: string, from: Date, to: Date): Promise<FieldUsage> {
  const rows = await usageSince(em, variantId, from);
  const fields = new Map<string, { count: number; operations: Set<string>; clients: Map<string, { name: string; version: string; count: number }> }>();
  let totalRequests = 0;
  for (const row of rows) {
    totalRequests += row.count;
    for (const coordinate of row.coordinates) {
      const field = fields.get(coordinate) ?? { count: 0, operations: new Set<string>(), clients: new Map() };
      field.count += row.count;
      field.operations.add(row.operationName ?? row.signatureHash.slice(0, 12));
      const clientKey = `${row.clientName}@${row.clientVersion}`;
      const client = field.clients.get(clientKey) ?? { name: row.clientName, version: row.clientVersion, count: 0 };
      client.count += row.count;
      field.clients.set(clientKey, client);
      fields.set(coordinate, field);
    }
  }
  return {
    from,
    to,
    totalRequests,
    fields: [...fields]
      .map(([coordinate, f]) => ({
        coordinate,
        count: f.count,
        operations: [...f.operations].sort(),
        clients: [...f.clients.values()].sort((a, b) => b.count - a.count),
      }))
      .sort((a, b) => b.count - a.count || a.coordinate.localeCompare(b.coordinate)),
  };
}
