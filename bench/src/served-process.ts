import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@ficus/testkit';
import { processCpuSeconds } from './process-cpu';

/** A Node process started by the benchmark, whose CPU time and memory can be read while it serves. */
export interface ServedProcess {
  name: string;
  pid: number;
  cpuSeconds(): number;
  /** Resident memory now, in bytes (VmRSS from /proc). */
  rssBytes(): number;
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and waits for its exit. */
  stop(): Promise<void>;
}

/** Starts `node [nodeOptions] <script>` with `env` (its whole environment), its output going to `logFile`. */
export function startNodeProcess(options: { name: string; script: string; nodeOptions?: string[]; env: NodeJS.ProcessEnv; logFile: string; stdout?: 'pipe' }): {
  process: ServedProcess;
  child: ChildProcess;
} {
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeOptions ?? []), options.script], { env: options.env, stdio: ['ignore', options.stdout ?? log, log] });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const pid = child.pid!;
  return { child, process: { name: options.name, pid, cpuSeconds: () => processCpuSeconds(pid), rssBytes: () => residentBytes(pid), stop } };
}

/** Waits until `url` answers the query with data, or fails fast if the process exits. */
export async function waitUntilServing(served: ServedProcess, child: ChildProcess, url: string, body: string, logFile: string): Promise<void> {
  await waitFor(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new ProcessExited(`${served.name} exited at start: see ${logFile}`);
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).catch(() => null);
      return response?.ok;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${served.name} to serve`, failFast: ProcessExited },
  );
}

class ProcessExited extends Error {}

function residentBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) * 1024;
}
