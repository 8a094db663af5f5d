import { Report, type IContextualizedStats, type ITypeStat } from '@apollo/usage-reporting-protobuf';
import { badInput } from '@ficus/kit';
import { maxRequestsPerLine, OperationUsage } from './usage-store';

/** What a usage report of Apollo Server (or Apollo Router) says, in the usage store's terms. */
export interface ApolloUsage {
  graphRef: string;
  /** When the report's window ended; counts go into that hour. */
  at: Date;
  operations: OperationUsage[];
}

const coordinatePattern = /^[_A-Za-z]\w*\.[_A-Za-z]\w*$/;
const limits = { operations: 10_000, coordinates: 10_000, signature: 100_000, text: 200 };

/**
 * Decodes a `Report` (@apollo/usage-reporting-protobuf, already gunzipped) into one line per
 * operation and client. An operation's coordinates are the fields it references
 * (`referencedFieldsByType`, sent for every operation) and those its field stats or traces saw
 * executed; its count is the requests of each client: `queryLatencyStats.requestCount` of the
 * stats plus one per trace, since Apollo Server sends a sampled request as a trace instead of
 * counting it in the stats. Throws BAD_USER_INPUT for bytes that are not such a report.
 */
export function readApolloUsageReport(bytes: Uint8Array, now: Date = new Date()): ApolloUsage {
  let report: Report;
  try {
    report = Report.decode(bytes);
  } catch (err) {
    throw badInput(`not an Apollo usage report (protobuf Report): ${(err as Error).message}`);
  }
  const graphRef = report.header?.graphRef;
  if (!graphRef) throw badInput('the usage report names no graph ref (header.graphRef): set APOLLO_GRAPH_REF on the server');
  const end = report.endTime?.seconds;
  const at = end ? new Date(Number(end) * 1000) : now;

  const operations: OperationUsage[] = [];
  for (const [statsReportKey, tracesAndStats] of Object.entries(report.tracesPerQuery ?? {})) {
    const operation = parseStatsReportKey(statsReportKey);
    if (!operation) continue;
    const coordinates = new Set<string>();
    for (const [type, referenced] of Object.entries(tracesAndStats.referencedFieldsByType ?? {})) {
      for (const field of referenced.fieldNames ?? []) coordinates.add(`${type}.${field}`);
    }
    const clients = new Map<string, { clientName: string; clientVersion: string; count: number }>();
    const count = (clientName: string | null | undefined, clientVersion: string | null | undefined, n: number) => {
      const name = (clientName ?? '').slice(0, limits.text);
      const version = (clientVersion ?? '').slice(0, limits.text);
      const key = JSON.stringify([name, version]);
      const row = clients.get(key) ?? { clientName: name, clientVersion: version, count: 0 };
      row.count += n;
      clients.set(key, row);
    };
    // Decoded, this is always an array; the ToArray form exists only for encoding.
    for (const stats of (tracesAndStats.statsWithContext ?? []) as IContextualizedStats[]) {
      count(stats.context?.clientName, stats.context?.clientVersion, Number(stats.queryLatencyStats?.requestCount ?? 0));
      for (const [type, typeStat] of Object.entries<ITypeStat>(stats.perTypeStat ?? {})) {
        for (const [field, fieldStat] of Object.entries(typeStat.perFieldStat ?? {})) {
          if (Number(fieldStat.observedExecutionCount ?? 0) > 0 || Number(fieldStat.estimatedExecutionCount ?? 0) > 0) coordinates.add(`${type}.${field}`);
        }
      }
    }
    for (const trace of tracesAndStats.trace ?? []) {
      if (trace instanceof Uint8Array) continue;
      count(trace.clientName, trace.clientVersion, 1);
      collectTraceCoordinates(trace.root, coordinates);
    }
    const valid = [...coordinates].filter((c) => coordinatePattern.test(c) && !c.includes('.__')).slice(0, limits.coordinates);
    for (const client of clients.values()) {
      if (client.count > maxRequestsPerLine) {
        throw badInput(`the usage report counts ${client.count} requests of one operation by one client; at most ${maxRequestsPerLine}`);
      }
      if (client.count > 0) operations.push({ ...operation, ...client, coordinates: valid });
    }
  }
  if (operations.length > limits.operations) throw badInput(`the usage report has ${operations.length} operation lines; at most ${limits.operations}`);
  return { graphRef, at, operations };
}

/**
 * `# OperationName\n<signature>` (`# -` for an anonymous operation). Keys starting `## ` stand
 * for requests that never ran (parse or validation failures, unknown operation names).
 */
function parseStatsReportKey(key: string): { operationName: string | null; signature: string } | null {
  if (key.startsWith('## ')) return null;
  const match = /^# ([^\n]*)\n([\s\S]+)$/.exec(key);
  if (!match || match[2]!.length > limits.signature) return null;
  const name = match[1]!.trim();
  return { operationName: name === '-' || name === '' ? null : name.slice(0, limits.text), signature: match[2]! };
}

interface TraceNode {
  parentType?: string | null;
  originalFieldName?: string | null;
  responseName?: string | null;
  child?: TraceNode[] | null;
}

function collectTraceCoordinates(node: TraceNode | null | undefined, into: Set<string>, depth = 0): void {
  if (!node || depth > 200) return;
  const field = node.originalFieldName || node.responseName;
  if (node.parentType && field) into.add(`${node.parentType}.${field}`);
  for (const child of node.child ?? []) collectTraceCoordinates(child, into, depth + 1);
}
