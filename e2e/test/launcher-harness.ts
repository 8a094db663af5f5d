import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '@ficus/testkit';
import { repoRoot } from '../src/repo';
import { freeStackPorts, launcherEnv } from './launcher-env';

/** One of the launcher's supervision lines: its JSON fields, and the line itself. */
export type LauncherEvent = Record<string, unknown> & { line: string };

/** `npm start`'s launcher on free ports with its own DATA_DIR (SQLite) and NATS, in its own process group. */
export class LauncherRun {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly launcher: ChildProcess,
    readonly dataDir: string,
    readonly ports: Record<string, number>,
  ) {
    launcher.stdout!.on('data', (chunk) => (this.output += chunk));
    launcher.stderr!.on('data', (chunk) => (this.output += chunk));
    this.exited = new Promise((resolve) => launcher.once('exit', (code) => resolve(code)));
  }

  /** Starts the launcher and resolves once the stack is ready; `env` adds to (or overrides) the test environment. */
  static async start(prefix: string, natsUrl: string, env: Record<string, string> = {}): Promise<LauncherRun> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const ports = await freeStackPorts();
    const launcher = spawn(process.execPath, [path.join(repoRoot(), 'e2e', 'dist', 'src', 'start.js')], {
      detached: true,
      env: { ...launcherEnv({ dataDir, natsUrl, ports }), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = new LauncherRun(launcher, dataDir, ports);
    const started = Date.now();
    const ready = () => run.output.includes('Press Ctrl-C');
    await waitFor(() => ready() || run.exitCode !== null, { timeoutMs: 120_000, intervalMs: 100, what: 'the stack to be ready' }).catch(() => undefined);
    if (!ready()) {
      run.dispose();
      throw new Error(`the stack did not become ready (launcher exit code ${run.exitCode}):\n${run.output}`);
    }
    process.stdout.write(`launcher ready after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return run;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.ports.gateway}/graphql`;
  }

  get exitCode(): number | null {
    return this.launcher.exitCode;
  }

  /** A sample of the gateway's /metrics for one subgraph (and state transition), or undefined when absent. */
  async metric(name: string, subgraph: string, to?: string): Promise<number | undefined> {
    const text = await (await fetch(`http://127.0.0.1:${this.ports.gateway}/metrics`)).text();
    const wanted = [`subgraph="${subgraph}"`, ...(to === undefined ? [] : [`to="${to}"`])];
    const line = text.split('\n').find((l) => {
      const labels = /^(\w+)\{(.*)\} /.exec(l);
      return labels?.[1] === name && wanted.every((label) => labels[2]!.split(',').includes(label));
    });
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  /** The gateway's circuit for a subgraph: 0 closed, 1 half-open, 2 open. */
  circuitState(subgraph: string): Promise<number | undefined> {
    return this.metric('ficus_gateway_subgraph_circuit_state', subgraph);
  }

  /** The pid the launcher printed for a service (its latest restart's, if any), checked to be one of this run's processes. */
  pidOf(service: string): number {
    const restarted = this.events().filter((e) => e.launcher === 'restarted' && e.service === service).at(-1);
    const printed = this.output.match(new RegExp(`^  ${service}\\s+http://\\S+\\s+pid (\\d+)`, 'm'));
    const pid = Number(restarted?.pid ?? printed?.[1]);
    if (!processesWithDataDir(this.dataDir).includes(String(pid))) throw new Error(`${service}'s pid ${pid} is not a process of this run`);
    return pid;
  }

  /** The launcher's supervision lines, parsed from their JSON fields. */
  events(): LauncherEvent[] {
    return this.output
      .split('\n')
      .filter((line) => line.includes('{"launcher":'))
      .map((line) => ({ ...(JSON.parse(line.slice(line.indexOf('{"launcher":'))) as Record<string, unknown>), line }));
  }

  waitForEvent(match: (event: LauncherEvent) => boolean, what: string, timeoutMs = 30_000): Promise<LauncherEvent> {
    return waitFor(() => this.events().find(match), { timeoutMs, intervalMs: 50, what }).catch((err) => {
      throw new Error(`${String(err)}\n${this.output.slice(-4000)}`);
    });
  }

  /** Resolves once no process started with this run's DATA_DIR is left. */
  async waitUntilNothingRunning(timeoutMs: number): Promise<void> {
    await waitFor(() => processesWithDataDir(this.dataDir).length === 0, {
      timeoutMs,
      what: `every service process to exit: ${processesWithDataDir(this.dataDir).join(', ')}`,
    });
  }

  /** Ctrl-C in a terminal: SIGINT to the whole process group; resolves with the launcher's exit code. */
  async interrupt(): Promise<number | null> {
    process.kill(-this.launcher.pid!, 'SIGINT');
    return this.exited;
  }

  /** SIGKILL to the launcher alone: its services are left to notice it is gone. */
  killLauncher(): void {
    this.launcher.kill('SIGKILL');
  }

  dispose(): void {
    try {
      process.kill(-this.launcher.pid!, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
    for (const pid of processesWithDataDir(this.dataDir)) process.kill(Number(pid), 'SIGKILL');
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Pids of the processes started with this DATA_DIR, read from /proc (the tests run on Linux). */
function processesWithDataDir(dataDir: string): string[] {
  return fs.readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`DATA_DIR=${dataDir}`);
    } catch {
      return false;
    }
  });
}
