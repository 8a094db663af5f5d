import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { identityToHeaders, OutboxEvent, readSubgraphConfig, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, graphql, onTestPostgres, startTestNatsServer, TestDatabase, TestNatsServer, waitFor } from '@ficus/testkit';
import { build } from '../src/build';

const run = promisify(execFile);
const main = path.join(__dirname, '..', 'dist', 'src', 'main.js');
const admin = identityToHeaders({ userId: 'u-admin', email: 'admin@example.com', roles: ['admin'] });

/** `node main.js [args]` with `env` over a quiet default; its exit code and output, whether it failed or not. */
async function runMain(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [main, ...args], { env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env }, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('products on managed PostgreSQL: migrated by an admin role, run by a role without DDL rights', () => {
  const role = `ficus_rt_${randomBytes(4).toString('hex')}`;
  let nats: TestNatsServer;
  let db: TestDatabase;
  let adminUrl: string;
  let runtimeUrl: string;
  let databaseName: string;
  let subgraph: SubgraphHandle | undefined;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    db = await createTestDatabase('postgres', 'products_managed');
    adminUrl = (db.target as { url: string }).url;
    databaseName = new URL(adminUrl).pathname.slice(1);
    const runtime = new URL(adminUrl);
    runtime.username = role;
    runtimeUrl = runtime.toString();
    await onTestPostgres('postgres', async (client) => {
      await client.query(`CREATE ROLE ${role} LOGIN`);
      // The database exists (an operator made it) but nothing has migrated it yet.
      await client.query(`CREATE DATABASE ${databaseName}`);
      await client.query(`GRANT CONNECT ON DATABASE ${databaseName} TO ${role}`);
    });
  });

  afterAll(async () => {
    await subgraph?.stop();
    await db?.drop();
    await onTestPostgres('postgres', (client) => client.query(`DROP ROLE IF EXISTS ${role}`));
    await nats?.dispose();
  });

  it('refuses to start before migrate has run, saying so, and creates nothing', async () => {
    const started = await runMain([], { DATABASE_URL: runtimeUrl, DATABASE_MIGRATE: 'never', NATS_URL: nats.url, PORT: '0' });
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(
      `products: refusing to start: the schema of ${runtimeUrl} is not at the latest migration ` +
        '(3 pending: 0000-ficus-outbox, 0001-ficus-inbox, products-0001-create-products)',
    );
    expect(started.stderr).toContain('run the service with the `migrate` argument first');
    const tables = await onTestPostgres(databaseName, (client) => client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`));
    expect(tables.rows).toEqual([]);
  });

  it('migrates with `main.js migrate` as the admin role and exits 0; a second run has nothing to do', async () => {
    const first = await runMain(['migrate'], { DATABASE_URL: adminUrl, LOG_LEVEL: 'info' });
    expect(first.code).toBe(0);
    const migrated = JSON.parse(first.stdout.split('\n').find((line) => line.includes('"database migrated"'))!);
    expect(migrated.migrationsApplied).toEqual(['0000-ficus-outbox', '0001-ficus-inbox', 'products-0001-create-products']);

    const again = await runMain(['migrate'], { DATABASE_URL: adminUrl, LOG_LEVEL: 'info' });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.split('\n').find((line) => line.includes('"database migrated"'))!).migrationsApplied).toEqual([]);
  });

  it('fails `main.js migrate` with exit code 1 and the reason when the role may not create the database', async () => {
    const refused = await runMain(['migrate'], { DATABASE_URL: runtimeUrl.replace(databaseName, `${databaseName}_other`) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^products: migrate failed: permission denied to create database/m);
  });

  it('serves queries and mutations as the runtime role with DATABASE_MIGRATE=never, which cannot change the schema', async () => {
    await onTestPostgres(databaseName, async (client) => {
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
      await client.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    });
    const config = readSubgraphConfig('products', 0, {
      DATABASE_URL: runtimeUrl,
      DATABASE_MIGRATE: 'never',
      DATABASE_POOL_MAX: '3',
      NATS_URL: nats.url,
      LOG_LEVEL: 'warn',
    });
    subgraph = await build(config);

    const created = await graphql(
      subgraph.url,
      'mutation { createProduct(input: { sku: "RT-1", name: "Runtime mug", price: 900, initialStock: 2 }) { id sku } }',
      {},
      admin,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data.createProduct.sku).toBe('RT-1');
    const listed = await graphql(subgraph.url, '{ products(first: 10) { totalCount edges { node { sku name } } } }');
    expect(listed.data.products).toEqual({ totalCount: 1, edges: [{ node: { sku: 'RT-1', name: 'Runtime mug' } }] });
    // The relay marks the event published: UPDATE is all it needs.
    await waitFor(async () => (await subgraph!.orm.em.fork().count(OutboxEvent, { publishedAt: { $ne: null } })) === 1, {
      what: 'the outbox event published',
    });
    await expect(subgraph.orm.em.getConnection().execute('CREATE TABLE intruder (id int)')).rejects.toThrow(/permission denied for schema public/);
  });
});
