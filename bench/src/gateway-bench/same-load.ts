import { benchRequestBody } from './bench-query';
import { BenchGateway, Deduplication } from './gateways';
import { runWrk, WrkResult } from './wrk';

/** One request rate offered to every gateway, and how wrk's connections pace themselves to it. */
export interface OfferedLoad {
  requestsPerSecond: number;
  connections: number;
  /** Mean time from one request of a connection to its next (think time + latency) that gives the rate. */
  cycleMs: number;
  /** The gateway with the lowest req/s at saturation: the rate is `share` of its req/s. */
  basis: { label: string; requestsPerSecond: number };
  share: number;
}

/** One measured run of one gateway at the offered load. */
export interface SameLoadRound {
  /** The mean think time of its connections: the cycle less its mean latency in the warm-up. */
  meanDelayMs: number;
  wrk: WrkResult;
}

/**
 * One gateway's figures at the offered load over several rounds, the gateways taking turns:
 * a stall of the machine (another process, the other core busy) lands in one round of one
 * gateway, and the median of its rounds leaves it out.
 */
export interface SameLoadFigures {
  gateway: string;
  deduplication: Deduplication;
  rounds: SameLoadRound[];
  median: { requestsPerSecond: number; p50Ms: number; p99Ms: number };
}

/** A gateway's rounds and their medians. */
export function sameLoadFigures(gateway: BenchGateway, rounds: SameLoadRound[]): SameLoadFigures {
  const median = (pick: (wrk: WrkResult) => number) => medianOf(rounds.map((r) => pick(r.wrk)));
  return {
    gateway: gateway.gateway,
    deduplication: gateway.deduplication,
    rounds,
    median: { requestsPerSecond: median((w) => w.requestsPerSecond), p50Ms: median((w) => w.p50Ms), p99Ms: median((w) => w.p99Ms) },
  };
}

export function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Below the slowest gateway's saturation, so that none of them queues without bound. */
const shareOfSlowest = 0.6;
/** A long cycle keeps the latencies, and the error of their estimate, a small part of it. */
const minCycleMs = 100;
const maxConnections = 1000;

/** The rate to offer every gateway: a share of the slowest one's req/s at saturation, to two significant figures. */
export function offeredLoad(saturation: Array<{ label: string; requestsPerSecond: number }>, minConnections: number): OfferedLoad {
  const basis = saturation.reduce((slowest, g) => (g.requestsPerSecond < slowest.requestsPerSecond ? g : slowest));
  const requestsPerSecond = Math.max(1, Number((basis.requestsPerSecond * shareOfSlowest).toPrecision(2)));
  const connections = Math.min(maxConnections, Math.max(minConnections, Math.ceil((requestsPerSecond * minCycleMs) / 1000)));
  return { requestsPerSecond, connections, cycleMs: (connections * 1000) / requestsPerSecond, basis, share: shareOfSlowest };
}

/**
 * Warms one gateway up at about the offered load, then measures its latencies at that load. A
 * connection sends one request per think time + latency: the think time of the measured run is
 * the cycle less the gateway's mean latency in the warm-up, so slower gateways get the same rate.
 */
export async function measureAtLoad(gateway: BenchGateway, offered: OfferedLoad, run: { seconds: number; warmup: number; threads: number; workDir: string }): Promise<SameLoadRound> {
  const load = { url: gateway.url, body: benchRequestBody, connections: offered.connections, threads: run.threads, workDir: run.workDir };
  // The warm-up also reopens connections to the subgraphs that closed while the other gateways ran.
  const warmup = await runWrk({ ...load, seconds: run.warmup, meanDelayMs: offered.cycleMs });
  const meanDelayMs = Math.max(0, offered.cycleMs - warmup.meanLatencyMs);
  const wrk = await runWrk({ ...load, seconds: run.seconds, meanDelayMs });
  if (wrk.badAnswers > 0 || wrk.socketErrors > 0) throw new Error(`${gateway.label} at ${offered.requestsPerSecond} req/s: ${wrk.badAnswers} bad answers, ${wrk.socketErrors} socket errors`);
  return { meanDelayMs, wrk };
}
