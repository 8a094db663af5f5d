import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { serviceEnvironment, serviceNodeOptions } from '@ficus/e2e';
import { createTestDatabase, freePort, TestDatabase, waitFor } from '@ficus/testkit';
import { processCpuSeconds } from '../process-cpu';
import type { BuildUnderTest } from './builds';
import type { DatabaseKind } from './options';

/** A registry process of one build over a database of its own, whose CPU and memory are read per step. */
export interface RegistryUnderTest {
  baseUrl: string;
  key: string;
  pid: number;
  cpuSeconds(): number;
  /** Starts a step's memory figure: the kernel's peak RSS (VmHWM) is reset, and VmRSS sampled. */
  startPeak(): void;
  /** The peak resident memory since `startPeak`, in bytes. */
  peakBytes(): number;
  /** Fails when the process has exited, with where its log is. */
  assertRunning(): void;
  stop(): Promise<void>;
}

class RegistryExited extends Error {}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** What is running and must be stopped (its database dropped) should the bench be interrupted. */
export type RunningSet = Set<() => Promise<void>>;

export async function startRegistry(build: BuildUnderTest, kind: DatabaseKind, logFile: string, running: RunningSet): Promise<RegistryUnderTest> {
  const db: TestDatabase = await createTestDatabase(kind, 'reg_bench');
  const port = await freePort();
  const key = `ficus_${randomBytes(32).toString('base64url')}`;
  const databaseUrl = db.target.kind === 'sqlite' ? `file:${db.target.path}` : db.target.url;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.openSync(logFile, 'a');
  const packageDir = path.join(build.root, 'schema-registry');
  // As shipped: the package's Node options and environment (`npm start` and the image apply both).
  const child: ChildProcess = spawn(process.execPath, [...serviceNodeOptions(packageDir), build.registryMain], {
    env: { PATH: process.env.PATH ?? '', ...serviceEnvironment(packageDir), HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, REGISTRY_BOOTSTRAP_KEY: key },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  // Whatever ends the bench (an error, a signal), the registry does not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const pid = child.pid!;
  let sampledKb = 0;
  let hwmResettable = true;
  const sampler = setInterval(() => {
    if (alive()) sampledKb = Math.max(sampledKb, statusKb(pid, 'VmRSS'));
  }, 50);
  let stopped: Promise<void> | null = null;
  const stop = () => (stopped ??= stopOnce());
  running.add(stop);
  const stopOnce = async () => {
    clearInterval(sampler);
    process.off('exit', killOnExit);
    running.delete(stop);
    if (alive()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await db.drop();
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      () => {
        if (!alive()) throw new RegistryExited(`the registry (${build.label}) exited at start: see ${logFile}`);
        return fetch(`${baseUrl}/ready`).then((r) => r.ok, () => false);
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `the registry (${build.label}) to be ready`, failFast: RegistryExited },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    baseUrl,
    key,
    pid,
    cpuSeconds: () => processCpuSeconds(pid),
    startPeak() {
      sampledKb = statusKb(pid, 'VmRSS');
      try {
        // Writing 5 to clear_refs resets the peak RSS the kernel keeps (Linux 4.0 on).
        if (hwmResettable) fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        hwmResettable = false;
      }
    },
    peakBytes: () => Math.max(sampledKb, hwmResettable ? statusKb(pid, 'VmHWM') : 0) * 1024,
    assertRunning() {
      if (!alive()) throw new Error(`the registry (${build.label}) exited (${child.exitCode ?? child.signalCode}): see ${logFile}`);
    },
    stop,
  };
}

export interface HealthPolls {
  maxMs: number;
  polls: number;
  failures: number;
  firstFailure?: string;
}

/**
 * Asks `/health` every `intervalMs` (after the previous answer) until stopped, and gives the
 * slowest answer's time: how long a load balancer's probe waits while the registry works.
 */
export function pollHealth(baseUrl: string, intervalMs = 50): { stop(): Promise<HealthPolls> } {
  let stopped = false;
  let maxMs = 0;
  let polls = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      const ok = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(60_000) }).then(
        async (r) => {
          await r.arrayBuffer();
          if (!r.ok) firstFailure ??= `HTTP ${r.status}`;
          return r.ok;
        },
        (err: Error & { cause?: Error }) => {
          firstFailure ??= err.cause?.message ?? err.message;
          return false;
        },
      );
      maxMs = Math.max(maxMs, performance.now() - started);
      polls += 1;
      if (!ok) failures += 1;
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { maxMs, polls, failures, firstFailure };
    },
  };
}
