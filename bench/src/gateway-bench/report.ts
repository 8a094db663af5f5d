import { Deduplication } from './gateways';
import { WrkResult } from './wrk';

/** One gateway's figures under the load. */
export interface GatewayFigures {
  gateway: string;
  deduplication: Deduplication;
  wrk: WrkResult;
  cpuMsPerRequest: number;
  rssMB: number;
  /** Requests the subgraphs served per request the gateway answered. */
  subgraphRequestsPerRequest: number;
}

/** The targets of the Ficus gateway, dedup off, against plain @apollo/gateway. */
const targets = { cpuRatio: 0.25, p99Ratio: 0.25, rssMB: 150 };

const dedupWords: Record<Deduplication, string> = { off: 'off', on: 'on', none: 'none (has no deduplication)' };

/** The figures as a table, then the Ficus gateway against each other gateway, then the targets. */
export function report(figures: GatewayFigures[], load: { seconds: number; connections: number; threads: number }): string[] {
  const lines = [`wrk: ${load.seconds} s per gateway, ${load.connections} connections, ${load.threads} threads; RSS after the run (1 MB = 10^6 bytes)`, ''];
  lines.push(
    ...table(
      ['gateway', 'dedup', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'RSS MB', 'subgraph req/req'],
      figures.map((f) => [
        f.gateway,
        dedupWords[f.deduplication],
        f.wrk.requestsPerSecond.toFixed(0),
        f.wrk.p50Ms.toFixed(2),
        f.wrk.p99Ms.toFixed(2),
        f.cpuMsPerRequest.toFixed(3),
        f.rssMB.toFixed(0),
        f.subgraphRequestsPerRequest.toFixed(2),
      ]),
    ),
    '',
    // Every client sends the same query, so with deduplication concurrent requests share most subgraph reads.
    'dedup on: one query from every connection, so most subgraph reads are shared across client requests (a ceiling, not a typical mix)',
  );
  const comparisons = ficusAgainstOthers(figures);
  if (comparisons.length > 0) {
    lines.push('', 'ratios, ficus / the other gateway (req/s: above 1 favours ficus; p99, CPU and RSS: below 1 does)', '');
    lines.push(
      ...table(
        ['ficus, dedup', 'against', 'req/s', 'p99', 'CPU/req', 'RSS'],
        comparisons.map(({ ficus: f, other: o, dedup }) => [
          dedup,
          o.deduplication === 'none' ? o.gateway : `${o.gateway}, dedup ${o.deduplication}`,
          ratio(f.wrk.requestsPerSecond, o.wrk.requestsPerSecond),
          ratio(f.wrk.p99Ms, o.wrk.p99Ms),
          ratio(f.cpuMsPerRequest, o.cpuMsPerRequest),
          ratio(f.rssMB, o.rssMB),
        ]),
      ),
    );
  }
  const target = comparisons.find((c) => c.dedup === 'off' && c.other.deduplication === 'none');
  if (target) {
    const { ficus: f, other: o } = target;
    const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
    const cpu = f.cpuMsPerRequest / o.cpuMsPerRequest;
    const p99 = f.wrk.p99Ms / o.wrk.p99Ms;
    lines.push('', `targets, ficus (dedup off) against ${o.gateway}:`);
    lines.push(`  CPU per request  ${cpu.toFixed(2)}x  (target <= ${targets.cpuRatio}x)  ${verdict(cpu <= targets.cpuRatio)}`);
    lines.push(`  p99 latency      ${p99.toFixed(2)}x  (target <= ${targets.p99Ratio}x)  ${verdict(p99 <= targets.p99Ratio)}`);
    lines.push(`  RSS              ${f.rssMB.toFixed(0)} MB, ${ratio(f.rssMB, o.rssMB)}  (target <= ${targets.rssMB} MB)  ${verdict(f.rssMB <= targets.rssMB)}`);
  }
  return lines;
}

/** The Ficus gateway against each other gateway at the same deduplication (both settings against one that has none). */
interface Comparison {
  dedup: 'off' | 'on';
  ficus: GatewayFigures;
  other: GatewayFigures;
}

function ficusAgainstOthers(figures: GatewayFigures[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const other of figures.filter((f) => f.gateway !== 'ficus')) {
    for (const dedup of other.deduplication === 'none' ? (['off', 'on'] as const) : [other.deduplication]) {
      const ficus = figures.find((f) => f.gateway === 'ficus' && f.deduplication === dedup);
      if (ficus) comparisons.push({ dedup, ficus, other });
    }
  }
  return comparisons;
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}x`;
}

/** A Markdown table whose columns line up in a terminal too: text left, figures right. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.]+x?$/.test(r[i]!)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)];
}
