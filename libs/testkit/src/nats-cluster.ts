import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findNatsServerBinary } from './nats-server';
import { freePort, waitFor, waitForPort } from './ports';

/** One member of a test cluster. */
export interface TestNatsNode {
  name: string;
  url: string;
  monitorUrl: string;
  /** Whether its process is still running. */
  readonly running: boolean;
  /** Kills the process outright (SIGKILL), as a crashed machine would leave it. */
  kill(): Promise<void>;
}

/** A JetStream cluster of real nats-server processes on loopback, each with its own store. */
export interface TestNatsCluster {
  nodes: TestNatsNode[];
  /** Every member's URL, comma-separated, as NATS_URL takes them. */
  url: string;
  /** The member a connection with this client name is connected to, read from the servers themselves. */
  nodeServing(connectionName: string): Promise<TestNatsNode | null>;
  /** Stops every member and deletes the stores. */
  dispose(): Promise<void>;
}

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number };
}

export async function startTestNatsCluster(size = 3): Promise<TestNatsCluster> {
  const binary = findNatsServerBinary();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-nats-cluster-'));
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort(), monitor: await freePort() })),
  );
  const routes = ports.map((p) => `nats://127.0.0.1:${p.route}`).join(',');
  const children: ChildProcess[] = [];
  const nodes: TestNatsNode[] = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const storeDir = path.join(root, name);
    fs.mkdirSync(storeDir);
    const child = spawn(
      binary,
      ['-a', '127.0.0.1', '-p', String(p.client), '-m', String(p.monitor), '-js', '-sd', storeDir, '-n', name,
        '--cluster_name', 'ficus-test', '-cluster', `nats://127.0.0.1:${p.route}`, '-routes', routes],
      { stdio: 'ignore' },
    );
    children.push(child);
    return {
      name,
      url: `nats://127.0.0.1:${p.client}`,
      monitorUrl: `http://127.0.0.1:${p.monitor}`,
      get running() {
        return child.exitCode === null && child.signalCode === null;
      },
      kill: () => stopProcess(child, 'SIGKILL'),
    };
  });
  const dispose = async () => {
    await Promise.all(children.map((child) => stopProcess(child, 'SIGTERM')));
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await Promise.all(ports.map((p) => waitForPort(p.client, 10_000)));
    // Streams can be created only once the members have elected a meta leader.
    await waitFor(
      async () => {
        const views = await Promise.all(nodes.map((node) => json<Jsz>(`${node.monitorUrl}/jsz`).catch(() => null)));
        return views.every((v) => v?.meta_cluster?.leader && v.meta_cluster.cluster_size === size);
      },
      { timeoutMs: 30_000, what: 'the NATS cluster to elect a JetStream meta leader' },
    );
  } catch (err) {
    await dispose();
    throw err;
  }
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    async nodeServing(connectionName) {
      for (const node of nodes.filter((n) => n.running)) {
        const connz = await json<{ connections?: { name?: string }[] }>(`${node.monitorUrl}/connz`).catch(() => null);
        if (connz?.connections?.some((c) => c.name === connectionName)) return node;
      }
      return null;
    },
    dispose,
  };
}

async function json<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
