import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, TestDatabase } from '@ficus/testkit';
import { build, readRegistryConfig, RegistryHandle } from '../src';

const run = promisify(execFile);
const main = path.join(__dirname, '..', 'dist', 'src', 'main.js');

async function runMain(args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return run(process.execPath, [main, ...args], { env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', PORT: '0', ...env }, timeout: 60_000 }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
  );
}

describe('the registry with DATABASE_MIGRATE=never (SQLite)', () => {
  let db: TestDatabase;
  let registry: RegistryHandle | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite', 'registry_migrate');
  });

  afterAll(async () => {
    await registry?.stop();
    await db?.drop();
  });

  const databaseUrl = () => `file:${(db.target as { path: string }).path}`;

  it('refuses to start before `main.js migrate`, naming the pending migrations', async () => {
    const refused = await runMain([], { DATABASE_URL: databaseUrl(), DATABASE_MIGRATE: 'never' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^schema-registry: refusing to start: the schema of sqlite:.* is not at the latest migration \(\d+ pending: registry-0001/m);
  });

  it('refuses an argument it does not know with exit code 64 and its usage', async () => {
    const refused = await runMain(['migrat'], { DATABASE_URL: databaseUrl() });
    expect(refused).toEqual({ code: 64, stderr: 'schema-registry: unknown arguments "migrat"; usage: main.js [migrate]\n' });
  });

  it('migrates with `main.js migrate`, then starts and serves without migrating', async () => {
    expect(await runMain(['migrate'], { DATABASE_URL: databaseUrl() })).toEqual({ code: 0, stderr: '' });
    registry = await build(readRegistryConfig({ DATABASE_URL: databaseUrl(), DATABASE_MIGRATE: 'never', PORT: '0', LOG_LEVEL: 'silent' }));
    const ready = await fetch(`${registry.baseUrl}/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'up' } });
    const res = await fetch(registry.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ variant(ref: "shop@current") { subgraphs { name } } }' }),
    });
    // Served (the schema is there): an anonymous caller is refused by the registry, not by a missing table.
    expect(((await res.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
