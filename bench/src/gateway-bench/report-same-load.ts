import { dedupWords, ficusAgainstOthers, otherName } from './comparisons';
import { OfferedLoad, SameLoadFigures } from './same-load';
import { ratio, table } from './table';

/** Achieved rates further apart than this (max / min - 1) make the latencies incomparable. */
const equalLoadTolerance = 0.05;

/** The offered load, each gateway's achieved req/s and latencies at it, and the Ficus gateway against the others. */
export function sameLoadReport(offered: OfferedLoad, figures: SameLoadFigures[], run: { seconds: number; rounds: number; threads: number }): string[] {
  const lines = [
    `same offered load: ${offered.requestsPerSecond} req/s to every gateway (${Math.round(offered.share * 100)} % of the slowest at saturation, ${offered.basis.label} at ${offered.basis.requestsPerSecond.toFixed(0)} req/s, to 2 significant figures);`,
    `  ${run.rounds} rounds, the gateways taking turns in each, each round starting one gateway later; a round of a gateway is wrk ${run.seconds} s after a warm-up at that rate, ${offered.connections} connections, ${run.threads} threads;`,
    `  a gateway's figures are the medians of its rounds; a connection sends one request per ${offered.cycleMs.toFixed(0)} ms on average:`,
    '  before each, it waits a think time drawn from 0 to twice the mean, the mean being that cycle less the gateway\'s mean latency in the warm-up',
    // wrk's delay() paces a closed loop; it cannot send on a schedule regardless of answers.
    '  paced by think time (closed loop, not an open-loop generator): a stalled answer holds back that connection\'s next request (coordinated omission), so the tail of whichever gateway stalls is understated',
    '',
  ];
  lines.push(
    ...table(
      ['gateway', 'dedup', 'think ms', 'offered req/s', 'achieved req/s', 'p50 ms', 'p99 ms', 'p99 ms of each round'],
      figures.map((f) => [
        f.gateway,
        dedupWords[f.deduplication],
        rangeWords(f.rounds.map((r) => r.meanDelayMs)),
        String(offered.requestsPerSecond),
        f.median.requestsPerSecond.toFixed(0),
        f.median.p50Ms.toFixed(2),
        f.median.p99Ms.toFixed(2),
        f.rounds.map((r) => r.wrk.p99Ms.toFixed(1)).join(' '),
      ]),
    ),
  );
  const achieved = figures.map((f) => f.median.requestsPerSecond);
  const spread = Math.max(...achieved) / Math.min(...achieved) - 1;
  lines.push(
    '',
    spread <= equalLoadTolerance
      ? `achieved loads within ${(spread * 100).toFixed(1)} % of each other`
      : `UNEQUAL LOADS: achieved req/s ${(spread * 100).toFixed(1)} % apart (more than ${equalLoadTolerance * 100} %): the latencies below are not at the same load`,
  );
  const comparisons = ficusAgainstOthers(figures);
  if (comparisons.length > 0) {
    lines.push('', `ratios at ${offered.requestsPerSecond} req/s, ficus / the other gateway (below 1 favours ficus)`, '');
    lines.push(
      ...table(
        ['ficus, dedup', 'against', 'p50', 'p99'],
        comparisons.map(({ ficus: f, other: o, dedup }) => [dedup, otherName(o), ratio(f.median.p50Ms, o.median.p50Ms), ratio(f.median.p99Ms, o.median.p99Ms)]),
      ),
    );
  }
  return lines;
}

/** Think times differ a little from round to round (each is set by its warm-up): their range. */
function rangeWords(values: number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low.toFixed(0) === high.toFixed(0) ? low.toFixed(0) : `${low.toFixed(0)}-${high.toFixed(0)}`;
}
