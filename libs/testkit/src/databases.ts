import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/** The PostgreSQL server tests use; CI and development machines run one here. */
export const testPostgresServer = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs `work` with a client connected as the test server's admin to `database`, closed after. */
export async function onTestPostgres<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const url = new URL(testPostgresServer);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Matches kit's DatabaseTarget, so it can be passed straight into a subgraph's config. */
export type TestDatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export interface TestDatabase {
  target: TestDatabaseTarget;
  drop(): Promise<void>;
}

/** A database of its own for one test file: a fresh PostgreSQL database, or a SQLite file. */
export async function createTestDatabase(kind: 'postgres' | 'sqlite', label: string): Promise<TestDatabase> {
  const suffix = `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-db-'));
    return {
      target: { kind: 'sqlite', path: path.join(dir, `${suffix}.sqlite`) },
      async drop() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = new URL(testPostgresServer);
  url.pathname = `/ficus_test_${suffix}`;
  return {
    // The service creates the database itself on first start, as in production.
    target: { kind: 'postgres', url: url.toString() },
    async drop() {
      const client = new Client({ connectionString: testPostgresServer });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "ficus_test_${suffix}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
