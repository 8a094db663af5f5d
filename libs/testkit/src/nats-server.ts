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
  let port = 0;
  let monitorPort = 0;
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-nats-'));
  let child: ChildProcess | null = null;
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    const configFile = path.join(storeDir, 'nats-server.conf');
    fs.writeFileSync(configFile, options.config);
    configArgs.push('-c', configFile);
  }

  const start = async () => {
    const running = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', storeDir, ...configArgs], { stdio: 'ignore' });
    child = running;
    const exited = new Promise<never>((_, reject) => running.once('exit', (code) => reject(new ExitedAtStart(code))));
    exited.catch(() => undefined);
    await Promise.race([waitForPort(port, 10_000), exited]);
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
  // A port found free may be taken before the server binds it (another process's outgoing
  // connection can be given it): a server that exits at start is tried again on other ports.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    monitorPort = await freePort();
    try {
      await start();
      break;
    } catch (err) {
      if (!(err instanceof ExitedAtStart) || attempt === 3) throw err;
    }
  }
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

/** nats-server ended before it listened (its port taken, a bad configuration). */
class ExitedAtStart extends Error {
  constructor(code: number | null) {
    super(`nats-server exited at start (exit code ${code})`);
  }
}
