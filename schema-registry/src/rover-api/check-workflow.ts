import { badInput } from '@ficus/kit';
import type { CompositionMessage } from '../compose';
import type { CheckSettings } from '../db/entities';
import type { CheckReport } from '../domain/check-subgraph';
import type { CheckedChange } from '../domain/evaluate-usage';

/** Apollo's `HistoricQueryParametersInput`, as rover sends it. */
export interface HistoricQueryParameters {
  from?: string | null;
  to?: string | null;
  queryCountThreshold?: number | null;
  queryCountThresholdPercentage?: number | null;
  excludedClients?: { name?: string | null; version?: string | null; referenceID?: string | null }[] | null;
  excludedOperationNames?: { name: string; version?: string | null }[] | null;
  ignoredOperations?: string[] | null;
  includedVariants?: string[] | null;
}

// rover sends the window's end as "-0" (now); allow a little clock skew for other clients.
const windowEndSlackSeconds = 300;

/** Seconds before now that a Platform API timestamp names: `-604800` (relative seconds) or an ISO 8601 time. */
function secondsAgo(value: string, field: string, now: Date): number {
  if (/^[+-]?\d+$/.test(value.trim())) return -Number(value.trim());
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw badInput(`config.${field} "${value}" is neither seconds relative to now (-604800) nor an ISO 8601 time`);
  return Math.round((now.getTime() - time) / 1000);
}

/** The check settings a run overrides, from rover's `config`; what it leaves null keeps the variant's setting. */
export function checkOverridesFrom(config: HistoricQueryParameters, now = new Date()): Partial<CheckSettings> {
  if (config.ignoredOperations?.length) throw badInput('config.ignoredOperations is not supported by this registry');
  if (config.includedVariants?.length) throw badInput('config.includedVariants is not supported by this registry: a check reads its own variant’s usage');
  if (config.to != null && Math.abs(secondsAgo(config.to, 'to', now)) > windowEndSlackSeconds) {
    throw badInput('config.to must be now: this registry checks usage windows that end now');
  }
  let validationPeriodSeconds: number | undefined;
  if (config.from != null) {
    validationPeriodSeconds = secondsAgo(config.from, 'from', now);
    if (validationPeriodSeconds <= 0) throw badInput(`config.from "${config.from}" must be in the past`);
  }
  const excludedClients = config.excludedClients?.map((client) => {
    if (!client.name) throw badInput('config.excludedClients: each client needs a name (referenceID alone is not supported)');
    return client.version ? `${client.name}@${client.version}` : client.name;
  });
  return {
    validationPeriodSeconds,
    queryCountThreshold: config.queryCountThreshold ?? undefined,
    queryPercentageThreshold: percentOf(config.queryCountThresholdPercentage),
    excludedClients,
    excludedOperationNames: config.excludedOperationNames?.map((op) => op.name),
  };
}

/**
 * `queryCountThresholdPercentage` is a fraction of all requests (0.05 is 5 %), as rover sends it; the
 * registry's setting is a percent. rover 0.41.0 divides the flag by 100 in whole numbers, so every
 * `--query-percentage-threshold` under 100 arrives as 0 (no threshold) and 100 as 1.
 */
function percentOf(fraction: number | null | undefined): number | undefined {
  if (fraction == null) return undefined;
  if (!(fraction >= 0 && fraction <= 1)) {
    throw badInput(`config.queryCountThresholdPercentage ${fraction} must be a fraction between 0 and 1 (0.05 is 5 % of requests)`);
  }
  // Rounded so that 0.07 reads as 7, not 7.000000000000001.
  return Math.round(fraction * 100 * 1e6) / 1e6;
}

export const schemaCompositionError = (error: CompositionMessage) => ({
  message: error.message,
  code: error.code,
  locations: (error.locations ?? []).map((l) => ({ line: l.line, column: l.column, subgraph: l.subgraph })),
});

/** What rover prints for a change: the message and, when it blocks, why. */
function describeChange(change: CheckedChange): string {
  if (!change.blocking) return change.message;
  if (change.affectedOperations.length === 0) return `${change.message} (blocks: no usage recorded in the window)`;
  const uses = change.affectedOperations.map((op) => {
    const clients = op.clients.map((c) => (c.version ? `${c.name || '(no client)'} ${c.version}` : c.name || '(no client)'));
    return `${op.name ?? op.signatureHash.slice(0, 12)} by ${[...new Set(clients)].join(', ')}: ${op.count} requests`;
  });
  return `${change.message} (used by ${uses.join('; ')})`;
}

function changeOf(change: CheckedChange) {
  const clients = new Map<string, { clientName: string; clientVersion: string; count: number }>();
  for (const client of change.affectedOperations.flatMap((op) => op.clients)) {
    const key = JSON.stringify([client.name, client.version]);
    const seen = clients.get(key) ?? { clientName: client.name, clientVersion: client.version, count: 0 };
    seen.count += client.count;
    clients.set(key, seen);
  }
  return {
    // rover knows FAILURE and NOTICE only (it treats any other severity as unreachable).
    severity: change.blocking ? 'FAILURE' : 'NOTICE',
    code: change.code,
    description: describeChange(change),
    coordinate: change.coordinate,
    category: change.severity,
    affectedQueries: change.affectedOperations.map((op) => ({ id: op.signatureHash, name: op.name, operationName: op.name, count: op.count })),
    affectedClients: [...clients.values()],
  };
}

/**
 * A stored check run as GraphOS's check workflow: a composition task and, when composition
 * succeeded, an operations task. rover fails on `status: FAILED`, and reports composition errors
 * from the composition task before anything else.
 */
export function checkWorkflowOf(report: CheckReport) {
  const times = { createdAt: report.createdAt, completedAt: report.createdAt, targetURL: null };
  const composed = report.compositionErrors.length === 0;
  const tasks: object[] = [
    {
      __typename: 'CompositionCheckTask',
      id: `${report.id}:composition`,
      status: composed ? 'PASSED' : 'FAILED',
      ...times,
      // Stored runs from before the field was recorded: an API schema change implies a new supergraph.
      coreSchemaModified: report.supergraphChanged ?? report.changes.length > 0,
      result: { errors: report.compositionErrors.map(schemaCompositionError) },
    },
  ];
  if (composed && report.usage) {
    const blocking = report.changes.filter((c) => c.blocking);
    const affected = new Set(blocking.flatMap((c) => c.affectedOperations.map((op) => op.signatureHash)));
    tasks.push({
      __typename: 'OperationsCheckTask',
      id: `${report.id}:operations`,
      status: blocking.length > 0 ? 'FAILED' : 'PASSED',
      ...times,
      result: {
        checkSeverity: blocking.length > 0 ? 'FAILURE' : 'NOTICE',
        numberOfCheckedOperations: report.usage.checkedOperations ?? 0,
        numberOfAffectedOperations: affected.size,
        changes: report.changes.map(changeOf),
      },
    });
  }
  return { id: report.id, status: report.passed ? 'PASSED' : 'FAILED', createdAt: report.createdAt, completedAt: report.createdAt, tasks };
}
