import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { onTestPostgres, testPostgresServer } from '@ficus/testkit';
import { migrateStack, servicesWithDatabases } from '../src/migrate-stack';

describe('npm run migrate (migrateStack)', () => {
  const suffix = randomBytes(4).toString('hex');
  const names = Object.fromEntries(servicesWithDatabases.map((spec) => [spec.name, `ficus_test_migrate_${spec.name.replaceAll('-', '_')}_${suffix}`]));
  const urlOf = (database: string, user = 'postgres') => {
    const url = new URL(testPostgresServer);
    url.username = user;
    url.pathname = `/${database}`;
    return url.toString();
  };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-migrate-'));
  const role = `ficus_nocreate_${suffix}`;

  beforeAll(async () => {
    await onTestPostgres('postgres', (client) => client.query(`CREATE ROLE ${role} LOGIN`));
  });

  afterAll(async () => {
    await onTestPostgres('postgres', async (client) => {
      for (const name of Object.values(names)) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS ${role}`);
    });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates and migrates the database of every subgraph and of the registry, and a second run changes nothing', async () => {
    const databaseUrls = Object.fromEntries(Object.entries(names).map(([service, db]) => [service, urlOf(db)]));
    const options = { dataDir, nodeEnv: 'development' as const, logLevel: 'warn', databaseUrls };
    const first = await migrateStack(options);
    expect(first.map((o) => [o.service, o.ok])).toEqual(servicesWithDatabases.map((spec) => [spec.name, true]));

    const applied = async () => {
      const counts: Record<string, number> = {};
      for (const [service, database] of Object.entries(names)) {
        counts[service] = Number((await onTestPostgres(database, (c) => c.query('SELECT count(*) AS n FROM mikro_orm_migrations'))).rows[0].n);
      }
      return counts;
    };
    const before = await applied();
    // Every subgraph has the outbox and inbox migrations and at least one of its own; the registry only its own.
    for (const spec of servicesWithDatabases) expect(before[spec.name]).toBeGreaterThanOrEqual(spec.role === 'registry' ? 1 : 3);

    const second = await migrateStack(options);
    expect(second.every((o) => o.ok)).toBe(true);
    expect(await applied()).toEqual(before);
  });

  it('reports a service that fails with its reason and still migrates the others', async () => {
    const databaseUrls = Object.fromEntries(Object.entries(names).map(([s, db]) => [s, urlOf(db)]));
    // A role that may not create databases, for a database that does not exist yet.
    databaseUrls.orders = urlOf(`${names.orders}_missing`, role);
    const outcomes = await migrateStack({ dataDir, nodeEnv: 'development', logLevel: 'warn', databaseUrls });
    const orders = outcomes.find((o) => o.service === 'orders')!;
    expect(orders.ok).toBe(false);
    expect(orders.output).toMatch(/^orders: migrate failed: permission denied to create database/m);
    expect(outcomes.filter((o) => o.service !== 'orders').every((o) => o.ok)).toBe(true);
  });
});
