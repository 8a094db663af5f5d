import { dedupWords, ficusAgainstOthers, otherName, targetComparison } from './comparisons';
import { Deduplication, floorGateway } from './gateways';
import { sameLoadReport } from './report-same-load';
import { OfferedLoad, SameLoadFigures } from './same-load';
import { ratio, table } from './table';
import { WrkResult } from './wrk';

/** One gateway's figures under the load: one run's, or the medians of its rounds (`saturationFigures`). */
export interface GatewayFigures {
  gateway: string;
  deduplication: Deduplication;
  wrk: WrkResult;
  cpuMsPerRequest: number;
  rssMB: number;
  /** Requests the subgraphs served per request the gateway answered. */
  subgraphRequestsPerRequest: number;
  /** CPU per request of each round, in the order they ran (one entry for a single run). */
  cpuRounds: number[];
}

/** The targets of the Ficus gateway, dedup off, against plain @apollo/gateway; p99 at the same offered load. */
const targets = { cpuRatio: 0.25, p99Ratio: 0.25, rssMB: 150 };

/** Saturation, then the same offered load: each a table and the Ficus gateway against each other gateway; then the targets. */
export function report(
  saturation: GatewayFigures[],
  sameLoad: { offered: OfferedLoad; figures: SameLoadFigures[]; seconds: number; rounds: number },
  load: { seconds: number; connections: number; threads: number; saturationRounds: number },
): string[] {
  return [...saturationReport(saturation, load), '', ...sameLoadReport(sameLoad.offered, sameLoad.figures, { seconds: sameLoad.seconds, rounds: sameLoad.rounds, threads: load.threads }), ...targetLines(saturation, sameLoad)];
}

function saturationReport(figures: GatewayFigures[], load: { seconds: number; connections: number; threads: number; saturationRounds: number }): string[] {
  const lines = [
    `saturation (closed loop: each gateway as much load as it takes): wrk ${load.seconds} s per gateway and round, ${load.connections} connections, ${load.threads} threads;`,
    `  ${load.saturationRounds} rounds, the gateways taking turns, each round starting one gateway later; req/s, p50, p99 and CPU are the medians of a gateway's rounds, RSS the highest after a round (1 MB = 10^6 bytes)`,
    '',
  ];
  lines.push(
    ...table(
      ['gateway', 'dedup', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'CPU ms/req of each round', 'RSS MB', 'subgraph req/req'],
      figures.map((f) => [
        f.gateway,
        dedupWords[f.deduplication],
        f.wrk.requestsPerSecond.toFixed(0),
        f.wrk.p50Ms.toFixed(2),
        f.wrk.p99Ms.toFixed(2),
        f.cpuMsPerRequest.toFixed(3),
        f.cpuRounds.map((c) => c.toFixed(3)).join(' '),
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
    lines.push('', 'ratios at saturation, ficus / the other gateway (req/s: above 1 favours ficus; p99, CPU and RSS: below 1 does; p99 here is at each gateway\'s own load)', '');
    lines.push(
      ...table(
        ['ficus, dedup', 'against', 'req/s', 'p99 saturated', 'CPU/req', 'RSS'],
        comparisons.map(({ ficus: f, other: o, dedup }) => [
          dedup,
          otherName(o),
          ratio(f.wrk.requestsPerSecond, o.wrk.requestsPerSecond),
          ratio(f.wrk.p99Ms, o.wrk.p99Ms),
          ratio(f.cpuMsPerRequest, o.cpuMsPerRequest),
          ratio(f.rssMB, o.rssMB),
        ]),
      ),
    );
  }
  return lines;
}

function targetLines(saturation: GatewayFigures[], sameLoad: { offered: OfferedLoad; figures: SameLoadFigures[] }): string[] {
  const atSaturation = targetComparison(saturation);
  const atSameLoad = targetComparison(sameLoad.figures);
  if (!atSaturation || !atSameLoad) return [];
  const { ficus: f, other: o } = atSaturation;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const cpu = f.cpuMsPerRequest / o.cpuMsPerRequest;
  const p99 = atSameLoad.ficus.median.p99Ms / atSameLoad.other.median.p99Ms;
  const rows: Array<[string, string]> = [
    ['CPU per request (saturation)', `${cpu.toFixed(3)}x  (target <= ${targets.cpuRatio}x)  ${verdict(cpu <= targets.cpuRatio)}`],
    [`p99 latency at the same load (${sameLoad.offered.requestsPerSecond} req/s, median of rounds)`, `${p99.toFixed(3)}x  (target <= ${targets.p99Ratio}x)  ${verdict(p99 <= targets.p99Ratio)}`],
    ['RSS (after saturation)', `${f.rssMB.toFixed(0)} MB, ${ratio(f.rssMB, o.rssMB)}  (target <= ${targets.rssMB} MB)  ${verdict(f.rssMB <= targets.rssMB)}`],
  ];
  const width = Math.max(...rows.map(([what]) => what.length));
  return [
    '',
    `targets, ficus (dedup off) against ${o.gateway}:`,
    ...rows.map(([what, figure]) => `  ${what.padEnd(width)}  ${figure}`),
    `  (p99 at saturation, each gateway at its own load, not the target's measure: ${ratio(f.wrk.p99Ms, o.wrk.p99Ms)})`,
    ...floorLines(sameLoad.figures, atSameLoad),
  ];
}

/**
 * The floor's p99 at the same load is the machine's share of every gateway's tail: when it is
 * itself above the p99 target's share of @apollo/gateway's, no engine could meet the target in that run.
 */
function floorLines(figures: SameLoadFigures[], { ficus, other }: { ficus: SameLoadFigures; other: SameLoadFigures }): string[] {
  const floor = figures.find((f) => f.gateway === floorGateway);
  if (!floor) return [];
  const floorShare = floor.median.p99Ms / other.median.p99Ms;
  return [
    `  (the floor at the same load: p99 ${floor.median.p99Ms.toFixed(2)} ms, ${floorShare.toFixed(2)}x ${other.gateway}'s; ficus's p99 is ${ratio(ficus.median.p99Ms, floor.median.p99Ms)} the floor's${
      floorShare > targets.p99Ratio ? `: above ${targets.p99Ratio}x, the machine's own tail is over the target in this run, whatever the engine` : ''
    })`,
  ];
}
