import type { GraphQLSchema } from 'graphql';
import { touchedBy, touchedCoordinates } from './change-coordinates';
import type { SchemaChange } from './schema-change';
import type { TouchedCoordinates, UsageRow, UsageWindow } from './usage-store';

export interface UsagePolicy {
  queryCountThreshold: number;
  /** In percent of every request in the window. */
  queryPercentageThreshold: number;
  excludedClients: string[];
  excludedOperationNames: string[];
}

export interface ClientUsage {
  name: string;
  version: string;
  count: number;
}

export interface AffectedOperation {
  signatureHash: string;
  name: string | null;
  count: number;
  clients: ClientUsage[];
}

/** A change as a check reports it: whether it fails the check, and which operations it would break. */
export interface CheckedChange extends SchemaChange {
  blocking: boolean;
  affectedOperations: AffectedOperation[];
}

/** The coordinates the breaking changes touch: only operations touching one need reading. */
export function touchedByBreaking(changes: SchemaChange[], before: GraphQLSchema): TouchedCoordinates {
  const breaking = changes.filter((c) => c.severity === 'BREAKING');
  const spelled = breaking.map((c) => touchedCoordinates(c, before));
  const touches = breaking.map((c) => touchedBy(c, before));
  return {
    exact: [...new Set(spelled.flatMap((t) => t.exact))],
    typePrefixes: [...new Set(spelled.flatMap((t) => (t.typePrefix === null ? [] : [t.typePrefix])))],
    accepts: (coordinate) => touches.some((touched) => touched(coordinate)),
  };
}

/** `evaluateWindow` over usage rows of every operation in the window. */
export function evaluateUsage(
  changes: SchemaChange[],
  usage: UsageRow[],
  policy: UsagePolicy,
  before: GraphQLSchema,
): { changes: CheckedChange[]; totalRequests: number; checkedOperations: number } {
  const totalRequests = usage.reduce((sum, row) => sum + row.count, 0);
  const counted = usage.filter((row) => !isExcluded(row, policy));
  const checkedOperations = new Set(counted.map((row) => row.signatureHash)).size;
  return evaluateWindow(changes, { totalRequests, checkedOperations, rows: counted }, policy, before);
}

/**
 * A breaking change blocks when an operation in the window, above both thresholds and not
 * excluded, touched what it breaks; or when the window holds no usage at all, since then
 * nothing says it is safe. Dangerous and safe changes never block. `window.rows` need hold
 * only the operations touching what the breaking changes touch.
 */
export function evaluateWindow(
  changes: SchemaChange[],
  window: UsageWindow,
  policy: UsagePolicy,
  before: GraphQLSchema,
): { changes: CheckedChange[]; totalRequests: number; checkedOperations: number } {
  const { totalRequests, checkedOperations } = window;
  const counted = window.rows.filter((row) => !isExcluded(row, policy));
  const checked = changes.map((change): CheckedChange => {
    if (change.severity !== 'BREAKING') return { ...change, blocking: false, affectedOperations: [] };
    const touches = touchedBy(change, before);
    const affectedOperations = operationsOf(counted.filter((row) => row.coordinates.some(touches))).filter(
      (op) =>
        op.count >= policy.queryCountThreshold && (op.count / totalRequests) * 100 >= policy.queryPercentageThreshold,
    );
    return { ...change, blocking: totalRequests === 0 || affectedOperations.length > 0, affectedOperations };
  });
  return { changes: checked, totalRequests, checkedOperations };
}

function isExcluded(row: UsageRow, policy: UsagePolicy): boolean {
  return (
    policy.excludedClients.some((c) => c === row.clientName || c === `${row.clientName}@${row.clientVersion}`) ||
    (row.operationName !== null && policy.excludedOperationNames.includes(row.operationName))
  );
}

function operationsOf(rows: UsageRow[]): AffectedOperation[] {
  const bySignature = new Map<string, AffectedOperation>();
  for (const row of rows) {
    const op = bySignature.get(row.signatureHash) ?? {
      signatureHash: row.signatureHash,
      name: row.operationName,
      count: 0,
      clients: [],
    };
    op.count += row.count;
    op.clients.push({ name: row.clientName, version: row.clientVersion, count: row.count });
    bySignature.set(row.signatureHash, op);
  }
  return [...bySignature.values()]
    .map((op) => ({ ...op, clients: op.clients.sort((a, b) => b.count - a.count) }))
    .sort((a, b) => b.count - a.count);
}
