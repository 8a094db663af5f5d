import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from '@ficus/testkit';
import { processCpuSeconds } from './process-cpu';

/** A gateway started as its own process, for reading its CPU time while load passes through it. */
export interface GatewayProcess {
  name: string;
  url: string;
  cpuSeconds(): number;
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and waits for its exit. */
  stop(): Promise<void>;
}

/** Starts `gateway/dist/src/main.js` with `env` (its whole environment) and waits until it answers /ready. */
export async function startGatewayProcess(options: { name: string; repoRoot: string; env: NodeJS.ProcessEnv; port: number; logFile: string }): Promise<GatewayProcess> {
  const entry = path.join(options.repoRoot, 'gateway', 'dist', 'src', 'main.js');
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const log = fs.openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [entry], { env: { ...options.env, PORT: String(options.port) }, stdio: ['ignore', log, log] });
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
  const base = `http://127.0.0.1:${options.port}`;
  try {
    await waitFor(
      async () => {
        if (!running()) throw new GatewayExited(`the ${options.name} gateway exited at start: see ${options.logFile}`);
        return (await fetch(`${base}/ready`).catch(() => null))?.ok;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: `the ${options.name} gateway to be ready`, failFast: GatewayExited },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { name: options.name, url: `${base}/graphql`, cpuSeconds: () => processCpuSeconds(child.pid!), stop };
}

class GatewayExited extends Error {}
