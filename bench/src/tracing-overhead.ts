import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startFicusGateway } from './gateway-bench/gateways';
import type { GatewayFigures } from './gateway-bench/report';
import { composeToFile, measureAtSaturation, SaturationLoad } from './gateway-bench/saturation';
import { startSubgraphs } from './gateway-bench/subgraphs-process';
import { ratio, table } from './gateway-bench/table';
import { requireWrk } from './gateway-bench/wrk';
import { ServedProcess } from './served-process';
import { startOtlpSink } from './tracing-overhead/otlp-sink';

/**
 * What OpenTelemetry tracing costs the Ficus gateway per request: the gateway bench's query
 * (5 subgraph fetches over 3 levels) and four subgraphs, at saturation, with tracing off, on
 * with every request sampled, on with 10 % sampled (parent-based) and on with none sampled,
 * each a fresh gateway process. Spans go over OTLP/HTTP protobuf to a sink in this process that counts and drops them.
 *
 *   npm run bench:tracing -- [--seconds 10] [--warmup 3] [--connections 20] [--threads 1] [--rounds 1]
 */
async function main(load: SaturationLoad & { rounds: number }): Promise<void> {
  requireWrk();
  const repoRoot = path.resolve(__dirname, '../../..');
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-tracing-bench-'));
  say(`tracing overhead bench: ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg()[0]!.toFixed(1)}; logs in ${workDir}`);
  const sink = await startOtlpSink();
  const off = { OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined, OTEL_TRACES_SAMPLER: undefined, OTEL_TRACES_SAMPLER_ARG: undefined };
  const on = { ...off, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' };
  const variants = [
    { name: 'tracing off', env: off },
    { name: 'tracing on, all sampled', env: on },
    { name: 'tracing on, 10 % sampled', env: { ...on, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' } },
    // The floor of having the SDK on: every instrumentation and the context manager at work, no span recorded.
    { name: 'tracing on, none sampled', env: { ...on, OTEL_TRACES_SAMPLER: 'always_off' } },
  ];
  const children: ServedProcess[] = [];
  try {
    const subgraphs = await startSubgraphs(workDir);
    children.push(...subgraphs.processes);
    const supergraphFile = composeToFile(subgraphs.urls, workDir);
    // Rounds interleave the variants, so that a neighbour's burst of load on the machine falls on all of them alike.
    const runs = variants.map(() => [] as Run[]);
    for (let round = 1; round <= load.rounds; round++) {
      for (const [i, variant] of variants.entries()) {
        const gateway = await startFicusGateway({ repoRoot, supergraphFile, workDir, deduplication: 'off', variant });
        try {
          const bytesBefore = sink.bytes;
          const figures = await measureAtSaturation(gateway, subgraphs, load, workDir, (line) => say(`round ${round}: ${line}`));
          // Stopping flushes the spans still batched, so the bytes count the measured run's spans (and the warm-up's tail).
          await gateway.process.stop();
          runs[i]!.push({ figures, exportedKBPerRequest: (sink.bytes - bytesBefore) / 1000 / figures.wrk.requests });
        } finally {
          await gateway.process.stop();
        }
      }
    }
    say('');
    say(`saturation: wrk ${load.seconds} s per run (after ${load.warmup} s of warm-up), ${load.connections} connections, ${load.threads} threads, ${load.rounds} round(s), medians over the rounds (CPU range: lowest–highest round); the sink took ${sink.exports} exports`);
    say('');
    const cpuOff = median(runs[0]!.map((r) => r.figures.cpuMsPerRequest));
    for (const line of table(
      ['gateway', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'CPU range', 'CPU vs off', 'RSS MB', 'OTLP KB/req'],
      runs.map((variantRuns, i) => {
        const of = (pick: (r: Run) => number) => median(variantRuns.map(pick));
        const cpu = variantRuns.map((r) => r.figures.cpuMsPerRequest);
        return [
          `ficus, ${variants[i]!.name}`,
          of((r) => r.figures.wrk.requestsPerSecond).toFixed(0),
          of((r) => r.figures.wrk.p50Ms).toFixed(2),
          of((r) => r.figures.wrk.p99Ms).toFixed(2),
          of((r) => r.figures.cpuMsPerRequest).toFixed(3),
          `${Math.min(...cpu).toFixed(3)}–${Math.max(...cpu).toFixed(3)}`,
          ratio(of((r) => r.figures.cpuMsPerRequest), cpuOff),
          of((r) => r.figures.rssMB).toFixed(0),
          of((r) => r.exportedKBPerRequest).toFixed(2),
        ];
      }),
    )) say(line);
  } finally {
    for (const child of children.reverse()) await child.stop();
    await sink.close();
  }
}

interface Run {
  figures: GatewayFigures;
  exportedKBPerRequest: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function readLoad(args: string[]): SaturationLoad & { rounds: number } {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string', default: '20' },
      threads: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '1' },
    },
  });
  const integer = (name: string, raw: string, max: number) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}, not ${JSON.stringify(raw)}`);
    return value;
  };
  return {
    seconds: integer('seconds', values.seconds, 300),
    warmup: integer('warmup', values.warmup, 60),
    connections: integer('connections', values.connections, 1000),
    threads: integer('threads', values.threads, 16),
    rounds: integer('rounds', values.rounds, 10),
  };
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main(readLoad(process.argv.slice(2))).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
