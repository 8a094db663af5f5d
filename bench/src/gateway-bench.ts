import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serviceEnvironment, serviceNodeOptions } from '@ficus/e2e';
import { benchRequestBody } from './gateway-bench/bench-query';
import { BenchGateway, startApolloGateway, startFicusGateway, startFloorGateway, startHiveGateway } from './gateway-bench/gateways';
import { ensureHiveGateway, hiveGatewayDir, hiveGatewayPackages } from './gateway-bench/hive-gateway-install';
import { BenchOptions, readOptions, usage, UsageError } from './gateway-bench/options';
import { report } from './gateway-bench/report';
import { composeToFile, measureAtSaturation, saturationFigures } from './gateway-bench/saturation';
import { measureAtLoad, offeredLoad, sameLoadFigures } from './gateway-bench/same-load';
import { ServedProcess } from './served-process';
import { startSubgraphs } from './gateway-bench/subgraphs-process';
import { requireWrk } from './gateway-bench/wrk';
import { describeHost } from './host-speed';

/**
 * The Ficus gateway (in-flight deduplication off, then on) against plain @apollo/gateway 2.14.4
 * and Hive Gateway with its Rust query planner (off, then on), in one run, on the same query
 * (5 subgraph fetches over 3 levels) and the same four subgraphs (one process, or one each):
 * wrk's req/s and p50/p99, each gateway's CPU per request and resident memory, and how many
 * subgraph requests each answer cost, at saturation (medians of rounds the gateways take turns
 * in); then p50/p99 of every gateway at one request rate offered to all (60 % of the slowest
 * one's req/s at saturation), as the p99 target is set,
 * in rounds that the gateways take turns in, each round starting one gateway later (medians reported).
 * The floor, the query's subgraph requests made by hand with no engine, runs beside them: what
 * is left of a gateway's figures above it is the gateway's own.
 *
 *   npm run bench:gateway -- [--seconds 20] [--warmup 5] [--connections 50] [--threads 2] [--saturation-rounds 3] [--same-load-seconds 10] [--same-load-rounds 3] [--skip-hive] [--subgraph-processes] [--skip-floor]
 */
async function main(options: BenchOptions): Promise<void> {
  requireWrk();
  const repoRoot = path.resolve(__dirname, '../../..');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-gateway-bench-'));
  say(`gateway bench: ${describeHost()}; logs in ${workDir}`);
  const packageEnv = Object.entries(serviceEnvironment(path.join(repoRoot, 'gateway'))).map(([name, value]) => `${name}=${value}`);
  say(`ficus runs as shipped, with its package's Node options (${serviceNodeOptions(path.join(repoRoot, 'gateway')).join(' ') || 'none'}) and environment (${packageEnv.join(' ') || 'none'}); the others with Node's defaults`);
  say('in-flight deduplication (identical subgraph reads in flight share one request): ficus off and on (SUBGRAPH_DEDUPLICATION);');
  say('  @apollo/gateway has none; Hive Gateway has it on by default (deduplicateInflightRequests), run off and on');
  const hive = options.hive ? await ensureHiveGateway(hiveGatewayDir(path.join(repoRoot, '.data')), say) : { ok: false as const, reason: '--skip-hive' };
  if (!hive.ok) say(`Hive Gateway skipped: ${hive.reason}`);

  const children: ServedProcess[] = [];
  try {
    const subgraphs = await startSubgraphs(workDir, options.subgraphProcesses);
    children.push(...subgraphs.processes);
    const supergraphFile = composeToFile(subgraphs.urls, workDir);
    const starts = [
      () => startFicusGateway({ repoRoot, supergraphFile, workDir, deduplication: 'off' }),
      () => startFicusGateway({ repoRoot, supergraphFile, workDir, deduplication: 'on' }),
      // What the package's Node options and environment buy: the same gateway on Node's own heap sizing and glibc's malloc arenas.
      () => startFicusGateway({ repoRoot, supergraphFile, workDir, deduplication: 'off', variant: { name: "Node's heap defaults", env: { MALLOC_ARENA_MAX: undefined }, nodeOptions: [] } }),
      () => startApolloGateway({ supergraphFile, workDir }),
    ];
    if (options.floor) starts.push(() => startFloorGateway({ subgraphUrls: subgraphs.urls, workDir }));
    if (hive.ok) {
      const version = hiveGatewayPackages['@graphql-hive/gateway'];
      for (const deduplication of ['off', 'on'] as const) starts.push(() => startHiveGateway({ bin: hive.bin, version, supergraphFile, workDir, deduplication }));
    }
    const gateways: BenchGateway[] = [];
    for (const start of starts) {
      const gateway = await start();
      children.push(gateway.process);
      gateways.push(gateway);
    }
    await sameAnswer(gateways);

    say('saturation:');
    const saturationRounds = await inTurns(gateways, options.saturationRounds, async (gateway, round) => {
      const measured = await measureAtSaturation(gateway, subgraphs, options, workDir, (line) => say(`round ${round}, ${line}`));
      say(`  CPU ${measured.cpuMsPerRequest.toFixed(3)} ms per request`);
      return measured;
    });
    const figures = saturationRounds.map(saturationFigures);

    const offered = offeredLoad(
      gateways.map((g, i) => ({ label: g.label, requestsPerSecond: figures[i]!.wrk.requestsPerSecond })),
      options.connections,
    );
    say(`same offered load: ${offered.requestsPerSecond} req/s (${Math.round(offered.share * 100)} % of ${offered.basis.label}'s ${offered.basis.requestsPerSecond.toFixed(0)} req/s at saturation), ${offered.connections} connections, one request per ${offered.cycleMs.toFixed(0)} ms per connection:`);
    const rounds = await inTurns(gateways, options.sameLoadRounds, async (gateway, round) => {
      await subgraphs.settle();
      const measured = await measureAtLoad(gateway, offered, { seconds: options.sameLoadSeconds, warmup: options.warmup, threads: options.threads, workDir });
      say(`round ${round}, ${gateway.label}: think time ${measured.meanDelayMs.toFixed(0)} ms, ${measured.wrk.requestsPerSecond.toFixed(0)} req/s achieved, p99 ${measured.wrk.p99Ms.toFixed(2)} ms`);
      return measured;
    });
    const sameLoad = gateways.map((gateway, i) => sameLoadFigures(gateway, rounds[i]!));
    say('');
    for (const line of report(figures, { offered, figures: sameLoad, seconds: options.sameLoadSeconds, rounds: options.sameLoadRounds }, options)) say(line);
  } finally {
    for (const child of children.reverse()) await child.stop();
  }
}

/**
 * Measures every gateway `rounds` times, the gateways taking turns; each round starts one gateway
 * later, so that none always runs first or after the same one. Answers each gateway's rounds.
 */
async function inTurns<T>(gateways: BenchGateway[], rounds: number, measure: (gateway: BenchGateway, round: number) => Promise<T>): Promise<T[][]> {
  const measured: T[][] = gateways.map(() => []);
  for (let round = 1; round <= rounds; round++) {
    for (let turn = 0; turn < gateways.length; turn++) {
      const i = (turn + round - 1) % gateways.length;
      measured[i]!.push(await measure(gateways[i]!, round));
    }
  }
  return measured;
}

/** Every gateway must give the same data without errors, or the comparison means nothing. */
async function sameAnswer(gateways: BenchGateway[]): Promise<void> {
  const answers = await Promise.all(
    gateways.map(async (g) => {
      const response = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: benchRequestBody, signal: AbortSignal.timeout(10_000) });
      const answer = (await response.json()) as { data?: unknown; errors?: unknown };
      if (response.status !== 200 || answer.errors || !answer.data) throw new Error(`${g.label} answers ${response.status} ${JSON.stringify(answer).slice(0, 500)}`);
      return JSON.stringify(answer.data);
    }),
  );
  if (new Set(answers).size !== 1) throw new Error(`the gateways answer differently:\n${gateways.map((g, i) => `${g.label}: ${answers[i]}`).join('\n')}`);
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function run(): void {
  let options: BenchOptions | null;
  try {
    options = readOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  if (!options) {
    say(usage);
    return;
  }
  main(options).catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

run();
