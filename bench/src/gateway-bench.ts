import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { composeSubgraphs } from '@ficus/schema-registry';
import { benchRequestBody } from './gateway-bench/bench-query';
import { BenchGateway, startApolloGateway, startFicusGateway } from './gateway-bench/gateways';
import { shopSubgraphs } from './gateway-bench/shop-subgraphs';
import { ServedProcess } from './served-process';
import { startSubgraphsProcess } from './gateway-bench/subgraphs-process';
import { requireWrk, runWrk, WrkResult } from './gateway-bench/wrk';

/** One gateway's figures under the same load. */
interface GatewayFigures {
  label: string;
  wrk: WrkResult;
  cpuMsPerRequest: number;
  rssMiB: number;
}

/**
 * The Ficus gateway against plain @apollo/gateway 2.14.4, in one run, on the same query
 * (5 subgraph fetches over 3 levels) and the same four subgraphs (a process of their own):
 * wrk's req/s and p50/p99, and each gateway's CPU per request and resident memory.
 *
 *   npm run bench:gateway -- [--seconds 20] [--warmup 5] [--connections 50] [--threads 2]
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      connections: { type: 'string', default: '50' },
      threads: { type: 'string', default: '2' },
    },
  });
  const seconds = bounded('seconds', values.seconds, 1, 300);
  const warmup = bounded('warmup', values.warmup, 1, 60);
  const connections = bounded('connections', values.connections, 1, 1000);
  const threads = bounded('threads', values.threads, 1, 16);
  requireWrk();
  const repoRoot = path.resolve(__dirname, '../../..');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-gateway-bench-'));
  say(`gateway bench: ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}; logs in ${workDir}`);
  // Neither gateway can deduplicate identical in-flight subgraph fetches today (@apollo/gateway
  // has no such option; Apollo Router's deduplicate_query is not in it): "off" is the only setting.
  say('in-flight deduplication: off (neither gateway has it, so "on" is not run)');

  const children: ServedProcess[] = [];
  try {
    const subgraphs = await startSubgraphsProcess(workDir);
    children.push(subgraphs.process);
    const supergraphFile = composeToFile(subgraphs.urls, workDir);
    const gateways: BenchGateway[] = [];
    for (const start of [() => startFicusGateway({ repoRoot, supergraphFile, workDir }), () => startApolloGateway({ supergraphFile, workDir })]) {
      const gateway = await start();
      children.push(gateway.process);
      gateways.push(gateway);
    }
    await sameAnswer(gateways);

    const figures: GatewayFigures[] = [];
    for (const gateway of gateways) {
      const load = { url: gateway.url, body: benchRequestBody, connections, threads, workDir };
      // Warm-up: compiled code, the plan cached, connections to the subgraphs open.
      await runWrk({ ...load, seconds: warmup });
      const before = gateway.process.cpuSeconds();
      const wrk = await runWrk({ ...load, seconds });
      const used = gateway.process.cpuSeconds() - before;
      if (wrk.badAnswers > 0 || wrk.socketErrors > 0) throw new Error(`${gateway.label}: ${wrk.badAnswers} bad answers, ${wrk.socketErrors} socket errors`);
      const result = { label: gateway.label, wrk, cpuMsPerRequest: (used * 1000) / wrk.requests, rssMiB: gateway.process.rssBytes() / 2 ** 20 };
      figures.push(result);
      say(`${gateway.label}: ${wrk.requests} requests in ${wrk.seconds.toFixed(1)} s`);
    }
    say('');
    printTable(figures, { seconds, connections, threads });
  } finally {
    for (const child of children.reverse()) await child.stop();
  }
}

/** Composes the four subgraphs at the URLs they listen on into a supergraph file. */
function composeToFile(urls: Record<string, string>, workDir: string): string {
  const outcome = composeSubgraphs(shopSubgraphs.map((s) => ({ name: s.name, routingUrl: urls[s.name]!, origin: 'inline sdl', sdl: s.sdl })));
  if (!outcome.ok) throw new Error(`the bench subgraphs do not compose: ${JSON.stringify(outcome.errors)}`);
  const file = path.join(workDir, 'supergraph.graphql');
  fs.writeFileSync(file, outcome.supergraphSdl);
  return file;
}

/** Both gateways must give the same data without errors, or the comparison means nothing. */
async function sameAnswer(gateways: BenchGateway[]): Promise<void> {
  const answers = await Promise.all(
    gateways.map(async (g) => {
      const response = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: benchRequestBody, signal: AbortSignal.timeout(10_000) });
      const answer = (await response.json()) as { data?: unknown; errors?: unknown };
      if (response.status !== 200 || answer.errors || !answer.data) throw new Error(`${g.label} answers ${response.status} ${JSON.stringify(answer).slice(0, 500)}`);
      return JSON.stringify(answer.data);
    }),
  );
  if (new Set(answers).size !== 1) throw new Error(`the gateways answer differently:\n${answers.join('\n')}`);
}

function printTable(figures: GatewayFigures[], load: { seconds: number; connections: number; threads: number }): void {
  say(`wrk: ${load.seconds} s, ${load.connections} connections, ${load.threads} threads, deduplication off`);
  say('| gateway | req/s | p50 ms | p99 ms | CPU ms/request | RSS MiB |');
  say('|---|---|---|---|---|---|');
  for (const f of figures) {
    say(`| ${f.label} | ${f.wrk.requestsPerSecond.toFixed(0)} | ${f.wrk.p50Ms.toFixed(2)} | ${f.wrk.p99Ms.toFixed(2)} | ${f.cpuMsPerRequest.toFixed(3)} | ${f.rssMiB.toFixed(0)} |`);
  }
  const [ficus, apollo] = figures as [GatewayFigures, GatewayFigures];
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  say(
    `| ficus / apollo | ${ratio(ficus.wrk.requestsPerSecond, apollo.wrk.requestsPerSecond)} | ${ratio(ficus.wrk.p50Ms, apollo.wrk.p50Ms)} | ` +
      `${ratio(ficus.wrk.p99Ms, apollo.wrk.p99Ms)} | ${ratio(ficus.cpuMsPerRequest, apollo.cpuMsPerRequest)} | ${ratio(ficus.rssMiB, apollo.rssMiB)} |`,
  );
}

function bounded(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
  return value;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
