import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports';

/** A real nats-server with JetStream, on its own port and store, for one test file. */
export interface TestNatsServer {
  url: string;
  port: number;
  /** The server's monitoring endpoint (`/connz`, `/subsz`, …). */
  monitorUrl: string;
  /** The subjects that connections with this client name subscribe to, read from the server itself. */
  subscriptionsOf(connectionName: string): Promise<string[]>;
  /** Stops the server; JetStream data stays on disk for `start`. */
  stop(): Promise<void>;
  /** Starts it again on the same port and store. */
  start(): Promise<void>;
  /** Stops it and deletes its store. */
  dispose(): Promise<void>;
}

export function findNatsServerBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = path.join(dir, 'nats-server');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  throw new Error('nats-server is not installed: install it (apt-get install nats-server) or put it on PATH');
}

export interface TestNatsServerOptions {
  /** A nats-server configuration (accounts, users, TLS, …); the port, store and JetStream flags still apply. */
  config?: string;
}

export async function startTestNatsServer(options: TestNatsServerOptions = {}): Promise<TestNatsServer> {
  const binary = findNatsServerBinary();
  const port = await freePort();
  const monitorPort = await freePort();
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-nats-'));
  let child: ChildProcess | null = null;
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    const configFile = path.join(storeDir, 'nats-server.conf');
    fs.writeFileSync(configFile, options.config);
    configArgs.push('-c', configFile);
  }

  const start = async () => {
    child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', storeDir, ...configArgs], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  const monitorUrl = `http://127.0.0.1:${monitorPort}`;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorUrl,
    async subscriptionsOf(connectionName) {
      const connz = (await (await fetch(`${monitorUrl}/connz?subs=1`)).json()) as {
        connections?: { name?: string; subscriptions_list?: string[] }[];
      };
      return (connz.connections ?? []).filter((c) => c.name === connectionName).flatMap((c) => c.subscriptions_list ?? []);
    },
    start,
    stop,
    async dispose() {
      await stop();
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
