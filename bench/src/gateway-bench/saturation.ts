import fs from 'node:fs';
import path from 'node:path';
import { composeSubgraphs } from '@ficus/schema-registry';
import { benchRequestBody } from './bench-query';
import type { BenchGateway } from './gateways';
import type { GatewayFigures } from './report';
import { medianOf } from './same-load';
import { shopSubgraphs } from './shop-subgraphs';
import type { BenchSubgraphs } from './subgraphs-process';
import { runWrk } from './wrk';

export interface SaturationLoad {
  seconds: number;
  warmup: number;
  connections: number;
  threads: number;
}

/** Warms one gateway up, then measures it under wrk's load: req/s and latency, its CPU per request and memory. */
export async function measureAtSaturation(
  gateway: BenchGateway,
  subgraphs: BenchSubgraphs,
  options: SaturationLoad,
  workDir: string,
  say: (line: string) => void,
): Promise<GatewayFigures> {
  const load = { url: gateway.url, body: benchRequestBody, connections: options.connections, threads: options.threads, workDir };
  // The previous gateway's run left garbage in the subgraphs' processes: collected now, not during this one.
  await subgraphs.settle();
  // Warm-up: compiled code, the plan cached, connections to the subgraphs open.
  await runWrk({ ...load, seconds: options.warmup });
  const cpuBefore = gateway.process.cpuSeconds();
  const subgraphRequestsBefore = await subgraphs.requestsServed();
  const wrk = await runWrk({ ...load, seconds: options.seconds });
  const cpuUsed = gateway.process.cpuSeconds() - cpuBefore;
  const subgraphRequests = (await subgraphs.requestsServed()) - subgraphRequestsBefore;
  if (wrk.badAnswers > 0 || wrk.socketErrors > 0) throw new Error(`${gateway.label}: ${wrk.badAnswers} bad answers, ${wrk.socketErrors} socket errors`);
  say(`${gateway.label}: ${wrk.requests} requests in ${wrk.seconds.toFixed(1)} s`);
  const cpuMsPerRequest = (cpuUsed * 1000) / wrk.requests;
  return {
    gateway: gateway.gateway,
    deduplication: gateway.deduplication,
    wrk,
    cpuMsPerRequest,
    rssMB: gateway.process.rssBytes() / 1e6,
    subgraphRequestsPerRequest: subgraphRequests / wrk.requests,
    cpuRounds: [cpuMsPerRequest],
  };
}

/**
 * One gateway's figures over its rounds at saturation: the medians of req/s, latencies and CPU
 * per request (one run's CPU moved by up to 1.5x between runs of the same build on a shared
 * machine), and the highest resident memory after a round.
 */
export function saturationFigures(rounds: GatewayFigures[]): GatewayFigures {
  const median = (pick: (round: GatewayFigures) => number) => medianOf(rounds.map(pick));
  const first = rounds[0]!;
  return {
    gateway: first.gateway,
    deduplication: first.deduplication,
    wrk: {
      ...first.wrk,
      requests: median((r) => r.wrk.requests),
      requestsPerSecond: median((r) => r.wrk.requestsPerSecond),
      p50Ms: median((r) => r.wrk.p50Ms),
      p99Ms: median((r) => r.wrk.p99Ms),
    },
    cpuMsPerRequest: median((r) => r.cpuMsPerRequest),
    rssMB: Math.max(...rounds.map((r) => r.rssMB)),
    subgraphRequestsPerRequest: median((r) => r.subgraphRequestsPerRequest),
    cpuRounds: rounds.flatMap((r) => r.cpuRounds),
  };
}

/** Composes the four subgraphs at the URLs they listen on into a supergraph file. */
export function composeToFile(urls: Record<string, string>, workDir: string): string {
  const outcome = composeSubgraphs(shopSubgraphs.map((s) => ({ name: s.name, routingUrl: urls[s.name]!, origin: 'inline sdl', sdl: s.sdl })));
  if (!outcome.ok) throw new Error(`the bench subgraphs do not compose: ${JSON.stringify(outcome.errors)}`);
  const file = path.join(workDir, 'supergraph.graphql');
  fs.writeFileSync(file, outcome.supergraphSdl);
  return file;
}
