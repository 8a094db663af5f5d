import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gateway, instanceName, registry, RunningStack, startStack, stackServices, subgraphs } from '@ficus/e2e';
import { createTestDatabase, freePort, startTestNatsServer, TestDatabase } from '@ficus/testkit';

export const benchAdmin = { email: 'admin@example.com', password: 'admin' };

export interface BenchStack {
  stack: RunningStack;
  /** Each subgraph's database, for reading results after a run. */
  databaseUrls: Record<string, string>;
  dataDir: string;
  /** The stack's nats-server, for observing its events. */
  natsUrl: string;
  /** Stops the stack and removes its NATS store, databases and data folder. */
  stop(): Promise<void>;
}

/**
 * The whole stack as real processes for a benchmark: a nats-server and a database per
 * subgraph of its own, free ports, and Ctrl-C stopping it all. `env` is given the data
 * folder, for settings that point into it.
 */
export async function startBenchStack(options: {
  kind: 'postgres' | 'sqlite';
  label: string;
  env: (dataDir: string) => Record<string, string>;
  /** Processes per service (the launcher's `instances`): subgraphs share their port, gateways get one each. */
  instances?: Partial<Record<string, number>>;
  /** The modular monolith (the launcher's `monolith`): the subgraphs and the gateway in one process. */
  monolith?: { extract?: string[] };
}): Promise<BenchStack> {
  const nats = await startTestNatsServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ficus-${options.label}-`));
  const databases: TestDatabase[] = [];
  const databaseUrls: Record<string, string> = {};
  let stack: RunningStack | undefined;
  const stop = async () => {
    await stack?.stop();
    for (const db of databases) await db.drop();
    await nats.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const interrupted = () => {
    process.stderr.write('bench interrupted: stopping the stack\n');
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    for (const spec of subgraphs) {
      const db = await createTestDatabase(options.kind, `${options.label}_${spec.name}`);
      databases.push(db);
      databaseUrls[spec.name] = db.target.kind === 'postgres' ? db.target.url : `file:${db.target.path}`;
    }
    const ports: Record<string, number> = {};
    for (const spec of stackServices) ports[spec.name] = await freePort();
    for (const spec of [registry, gateway]) {
      for (let i = 2; i <= (options.instances?.[spec.name] ?? 1); i++) ports[instanceName(spec, i)] = await freePort();
    }
    stack = await startStack({
      instances: options.instances,
      monolith: options.monolith,
      dataDir,
      natsUrl: nats.url,
      nodeEnv: 'test',
      logLevel: 'warn',
      ports,
      databaseUrls,
      devAdmin: benchAdmin,
      // The benchmarks offer more load from one shopper than a client's default rate budget allows.
      env: { RATE_LIMIT: 'off', ...options.env(dataDir) },
    });
    return { stack, databaseUrls, dataDir, natsUrl: nats.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
