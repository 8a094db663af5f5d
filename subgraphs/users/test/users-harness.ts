import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, startTestNatsServer, TestDatabase, TestNatsServer } from '@ficus/testkit';
import { build } from '../src/build';
import { readUsersConfig, UsersConfig } from '../src/config';

/** A real users subgraph on a NATS, a database and a DATA_DIR of its own. */
export interface UsersHarness {
  subgraph: SubgraphHandle;
  /** What it was built with: `build(config)` starts another users process on the same database. */
  config: UsersConfig;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts users on port 0 in test mode; `env` adds to its environment. */
export async function startUsers(kind: 'sqlite' | 'postgres', label: string, env: Record<string, string>): Promise<UsersHarness> {
  let nats: TestNatsServer | undefined;
  let db: TestDatabase | undefined;
  let subgraph: SubgraphHandle | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `ficus-${label.replaceAll('_', '-')}-`));
  const stop = async () => {
    await subgraph?.stop();
    await db?.drop();
    await nats?.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    nats = await startTestNatsServer();
    db = await createTestDatabase(kind, label);
    const config = {
      ...readUsersConfig({ NODE_ENV: 'test', NATS_URL: nats.url, LOG_LEVEL: 'warn', DATA_DIR: dataDir, ...env }),
      port: 0,
      database: db.target,
    };
    subgraph = await build(config);
    return { subgraph, config, dataDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
