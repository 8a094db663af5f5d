import path from 'node:path';
import { waitFor } from '@ficus/testkit';
import { startNodeProcess } from './served-process';

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
  const { process: served, child } = startNodeProcess({
    name: options.name,
    script: entry,
    env: { ...options.env, PORT: String(options.port) },
    logFile: options.logFile,
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = () => served.stop();
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
  return { name: options.name, url: `${base}/graphql`, cpuSeconds: () => served.cpuSeconds(), stop };
}

class GatewayExited extends Error {}
