import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BuildUnderTest } from './builds';
import type { DatabaseKind } from './options';
import { HealthPolls, pollHealth, RegistryUnderTest, RunningSet, startRegistry } from './registry-process';
import { CheckName, graphRef, usageBody, Workload } from './workload';

/** One step's figures. CPU and memory are the registry's, except for the offline compose (the CLI's). */
export interface StepFigure {
  wallMs: number;
  cpuSeconds: number;
  peakBytes: number;
  /** The slowest `/health` answer during the step (checks only). */
  healthMaxMs?: number;
  /** What the step produced, for the reader to see it did the work (a check's outcome). */
  outcome?: string;
}

export const stepNames = ['publish 1st', 'publish last', 'publish all', 'ingest', 'check additive', 'check removal', 'check retype', 'compose offline'] as const;
export type StepName = (typeof stepNames)[number];
export type RoundFigures = Record<StepName, StepFigure>;

const PUBLISH = `mutation Publish($input: PublishSubgraphInput!) {
  publishSubgraph(input: $input) { published unchanged compositionErrors { code message } }
}`;

async function measure(registry: RegistryUnderTest, work: () => Promise<string | void>): Promise<StepFigure> {
  registry.startPeak();
  const cpu = registry.cpuSeconds();
  const started = performance.now();
  const outcome = await work();
  const wallMs = performance.now() - started;
  registry.assertRunning();
  return { wallMs, cpuSeconds: registry.cpuSeconds() - cpu, peakBytes: registry.peakBytes(), ...(outcome ? { outcome } : {}) };
}

async function publishAll(registry: RegistryUnderTest, workload: Workload): Promise<StepFigure[]> {
  const figures: StepFigure[] = [];
  for (const subgraph of workload.graph.subgraphs) {
    figures.push(
      await measure(registry, async () => {
        const response = await fetch(`${registry.baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.key}` },
          body: JSON.stringify({ query: PUBLISH, variables: { input: { ref: graphRef, name: subgraph.name, sdl: subgraph.sdl, routingUrl: subgraph.routingUrl } } }),
        });
        const body = (await response.json().catch(() => null)) as { data?: { publishSubgraph: { published: boolean; compositionErrors: { code: string }[] } }; errors?: unknown } | null;
        if (!body?.data?.publishSubgraph.published) throw new Error(`publishing ${subgraph.name} failed (HTTP ${response.status}): ${JSON.stringify(body).slice(0, 500)}`);
      }),
    );
  }
  return figures;
}

async function ingest(registry: RegistryUnderTest, workload: Workload): Promise<void> {
  // One batch after the other, as the gateway's reporter sends them.
  for (const [i, batch] of workload.batches.entries()) {
    const response = await fetch(`${registry.baseUrl}/api/usage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.key}` },
      body: usageBody(batch, new Date()),
    });
    const text = await response.text();
    if (response.status !== 202) throw new Error(`usage batch ${i + 1} of ${workload.batches.length} refused: HTTP ${response.status} ${text.slice(0, 300)}`);
  }
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From /usr/bin/time: the process's own CPU and peak RSS. */
  cpuSeconds: number;
  peakBytes: number;
}

const gnuTime = '/usr/bin/time';

/** The CLI's own CPU and peak RSS come from GNU time: fails first, and says so, when it is missing. */
export function requireGnuTime(): void {
  if (!fs.existsSync(gnuTime)) throw new Error(`${gnuTime} is missing: install GNU time (apt-get install time)`);
}

/** Runs the build's `ficus` as a process under /usr/bin/time, so that its CPU and memory are its own figures. */
function runCli(build: BuildUnderTest, args: string[], env: Record<string, string>, timeFile: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    fs.rmSync(timeFile, { force: true });
    const child = spawn(gnuTime, ['-f', '%U %S %M', '-o', timeFile, process.execPath, build.cliMain, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const [user, system, maxKb] = (fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8') : '').trim().split('\n').at(-1)!.split(' ').map(Number);
      if (![user, system, maxKb].every((n) => Number.isFinite(n))) return reject(new Error(`${gnuTime} gave no figures for ficus ${args.join(' ')} (exit ${code}): ${stderr.slice(0, 300)}`));
      resolve({ code, stdout, stderr, cpuSeconds: user! + system!, peakBytes: maxKb! * 1024 });
    });
  });
}

interface CheckView {
  data: {
    passed: boolean;
    compositionErrors: unknown[];
    changes: { severity: string; coordinate: string; affectedOperations: unknown[] }[];
    usage: { totalRequests: number } | null;
  };
}

async function check(registry: RegistryUnderTest, build: BuildUnderTest, workload: Workload, name: CheckName, workDir: string): Promise<StepFigure> {
  const change = workload.graph.changes[name];
  const health = pollHealth(registry.baseUrl);
  let polled: HealthPolls;
  let run: CliRun;
  let figure: StepFigure;
  try {
    figure = await measure(registry, async () => {
      run = await runCli(build, ['subgraph', 'check', graphRef, '--name', change.subgraph, '--schema', workload.checkFiles[name], '--format', 'json'], { FICUS_REGISTRY_URL: registry.baseUrl, FICUS_API_KEY: registry.key }, path.join(workDir, 'time.txt'));
    });
  } finally {
    polled = await health.stop();
  }
  let view: CheckView;
  try {
    view = JSON.parse(run!.stdout) as CheckView;
  } catch {
    throw new Error(`ficus subgraph check (${name}) gave no JSON (exit ${run!.code}): ${run!.stderr.slice(0, 500)}`);
  }
  if ((run!.code !== 0 && run!.code !== 1) || !view.data || !Array.isArray(view.data.changes)) throw new Error(`ficus subgraph check (${name}) failed (exit ${run!.code}): ${run!.stdout.slice(0, 300)} ${run!.stderr.slice(0, 300)}`);
  const breaking = view.data.changes.filter((c) => c.severity === 'BREAKING');
  const affected = Math.max(0, ...view.data.changes.map((c) => c.affectedOperations.length));
  const outcome = `${view.data.passed ? 'passed' : 'failed'}, ${count(view.data.changes.length, 'change')} (${breaking.length} breaking), ${count(affected, 'affected operation')}, ${count(view.data.compositionErrors.length, 'composition error')}`;
  return { ...figure!, healthMaxMs: polled.maxMs, outcome: polled.failures ? `${outcome}; /health failed ${polled.failures} of ${polled.polls} times (${polled.firstFailure})` : outcome };
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

async function composeOffline(build: BuildUnderTest, workload: Workload, workDir: string): Promise<StepFigure> {
  const output = path.join(workDir, 'supergraph.graphql');
  const started = performance.now();
  const run = await runCli(build, ['supergraph', 'compose', '--config', workload.supergraphConfig, '--output', output], {}, path.join(workDir, 'time.txt'));
  const wallMs = performance.now() - started;
  if (run.code !== 0) throw new Error(`ficus supergraph compose failed (exit ${run.code}): ${run.stderr.slice(0, 500)}`);
  return { wallMs, cpuSeconds: run.cpuSeconds, peakBytes: run.peakBytes, outcome: `${Math.round(fs.statSync(output).size / 1024)} KiB supergraph` };
}

/** One round: a fresh registry over a fresh database, publish, usage, the three checks; then the offline compose. */
export async function runRound(build: BuildUnderTest, kind: DatabaseKind, workload: Workload, workDir: string, running: RunningSet, say: (line: string) => void): Promise<RoundFigures> {
  const registry = await startRegistry(build, kind, path.join(workDir, 'registry.log'), running);
  try {
    const publishes = await publishAll(registry, workload);
    say(`    published ${publishes.length} subgraphs: 1st ${publishes[0]!.wallMs.toFixed(0)} ms, last ${publishes.at(-1)!.wallMs.toFixed(0)} ms`);
    const publishAllFigure: StepFigure = {
      wallMs: publishes.reduce((sum, f) => sum + f.wallMs, 0),
      cpuSeconds: publishes.reduce((sum, f) => sum + f.cpuSeconds, 0),
      peakBytes: Math.max(...publishes.map((f) => f.peakBytes)),
    };
    const ingested = await measure(registry, () => ingest(registry, workload));
    say(`    ingested ${workload.usageLines} usage lines in ${workload.batches.length} batches: ${ingested.wallMs.toFixed(0)} ms`);
    const checks = {} as Record<CheckName, StepFigure>;
    for (const name of ['additive', 'removal', 'retype'] as const) {
      checks[name] = await check(registry, build, workload, name, workDir);
      say(`    check ${name}: ${checks[name].wallMs.toFixed(0)} ms, /health max ${checks[name].healthMaxMs!.toFixed(0)} ms; ${checks[name].outcome}`);
    }
    await registry.stop();
    const composed = await composeOffline(build, workload, workDir);
    say(`    offline compose: ${composed.wallMs.toFixed(0)} ms`);
    return {
      'publish 1st': publishes[0]!,
      'publish last': publishes.at(-1)!,
      'publish all': publishAllFigure,
      ingest: ingested,
      'check additive': checks.additive,
      'check removal': checks.removal,
      'check retype': checks.retype,
      'compose offline': composed,
    };
  } finally {
    await registry.stop();
  }
}
