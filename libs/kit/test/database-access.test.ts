import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '@ficus/testkit';
import pino from 'pino';
import { Client } from 'pg';
import type { PeerCertificate } from 'node:tls';
import { ConfigError, migrateDatabase, openDatabase, pgSslOptions, readSubgraphConfig, SchemaNotMigratedError } from '../src';

const logger = pino({ level: 'silent' });

describe('database access configuration', () => {
  it('migrates at start with ten connections and no TLS when nothing is set', () => {
    expect(readSubgraphConfig('orders', 4004, {}).databaseAccess).toEqual({ migrate: 'on-start', poolMax: 10, ssl: { mode: 'disable' } });
  });

  it('reads DATABASE_MIGRATE, DATABASE_POOL_MAX, DATABASE_SSL and the CA file DATABASE_SSL_CA names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-ca-'));
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    try {
      const config = readSubgraphConfig('orders', 4004, {
        DATABASE_MIGRATE: 'never',
        DATABASE_POOL_MAX: '25',
        DATABASE_SSL: 'verify-full',
        DATABASE_SSL_CA: caFile,
      });
      expect(config.databaseAccess).toEqual({
        migrate: 'never',
        poolMax: 25,
        ssl: { mode: 'verify-full', ca: fs.readFileSync(caFile, 'utf8') },
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every bad database variable in one error, with the other bad variables', () => {
    let error: unknown;
    try {
      readSubgraphConfig('orders', 4004, {
        PORT: 'x',
        DATABASE_MIGRATE: 'sometimes',
        DATABASE_POOL_MAX: '0',
        DATABASE_SSL: 'prefer',
        DATABASE_SSL_CA: '/nonexistent/ca.pem',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_MIGRATE', 'DATABASE_POOL_MAX', 'DATABASE_SSL', 'DATABASE_SSL_CA', 'PORT']);
    expect(problems.find((p) => p.startsWith('DATABASE_SSL_CA'))).toContain('cannot read /nonexistent/ca.pem: ENOENT');
  });

  it('refuses sslmode in a database URL, which the ORM would drop and so connect without TLS', () => {
    expect(() =>
      readSubgraphConfig('orders', 4004, { DATABASE_URL: 'postgres://u@db:5432/ficus_orders?sslmode=require', POSTGRES_URL: 'postgres://u@db/x?SSLMODE=verify-full' }),
    ).toThrow(/DATABASE_URL: sslmode in the URL is not applied: use DATABASE_SSL[\s\S]*POSTGRES_URL: sslmode/);
  });

  it('checks the certificate against the host of the URL with verify-full, an IP address too', () => {
    const cert = { subject: { CN: 'db.example' }, subjectaltname: 'DNS:db.example, DNS:localhost' } as unknown as PeerCertificate;
    const verify = (url: string) => {
      const options = pgSslOptions({ mode: 'verify-full', ca: null }, url);
      if (!options || !options.checkServerIdentity) throw new Error('no host name check');
      // node-postgres passes "localhost" as the name for an IP address host: the URL's host must win.
      return options.checkServerIdentity('localhost', cert);
    };
    expect(verify('postgres://u@db.example:5432/ficus_orders')).toBeUndefined();
    expect(verify('postgres://u@127.0.0.1:5432/ficus_orders')?.message).toMatch(/IP: 127.0.0.1 is not in the cert's list/);
    expect(verify('postgres://u@other.example:5432/ficus_orders')?.message).toMatch(/Host: other.example\. is not in the cert's altnames/);
    expect(pgSslOptions({ mode: 'require' }, 'postgres://u@127.0.0.1/x')).toEqual({ rejectUnauthorized: false });
  });

  it('refuses a CA file unless the certificate is verified', () => {
    expect(() => readSubgraphConfig('orders', 4004, { DATABASE_SSL: 'require', DATABASE_SSL_CA: __filename })).toThrow(
      /DATABASE_SSL_CA: only used with DATABASE_SSL=verify-full/,
    );
  });
});

describe('opening a PostgreSQL database with DATABASE_MIGRATE=never', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('postgres', 'migrate_never');
  });

  afterAll(async () => {
    await db?.drop();
  });

  const databaseExists = async () => {
    const name = new URL((db.target as { url: string }).url).pathname.slice(1);
    const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await client.connect();
    try {
      return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
    } finally {
      await client.end();
    }
  };
  const never = { migrate: 'never', poolMax: 2, ssl: { mode: 'disable' } } as const;

  it('neither creates the database nor migrates it, and names the migrations pending', async () => {
    const opening = openDatabase({ target: db.target, entities: [], migrations: [], logger, access: never });
    await expect(opening).rejects.toThrow(SchemaNotMigratedError);
    await expect(opening).rejects.toThrow(/2 pending: 0000-ficus-outbox, 0001-ficus-inbox.*run the service with the `migrate` argument/s);
    expect(await databaseExists()).toBe(false);
  });

  it('opens it once migrate has run, and refuses again when the code has a migration the database lacks', async () => {
    expect(await migrateDatabase({ target: db.target, entities: [], migrations: [], logger, access: never })).toEqual([
      '0000-ficus-outbox',
      '0001-ficus-inbox',
    ]);
    const orm = await openDatabase({ target: db.target, entities: [], migrations: [], logger, access: never });
    expect(await orm.isConnected()).toBe(true);
    await orm.close();

    const { Migration } = await import('@mikro-orm/migrations');
    class AddNothing extends Migration {
      async up(): Promise<void> {
        this.addSql('select 1');
      }
    }
    const newer = [{ name: 'test-0001-add-nothing', class: AddNothing }];
    await expect(openDatabase({ target: db.target, entities: [], migrations: newer, logger, access: never })).rejects.toThrow(
      /1 pending: test-0001-add-nothing/,
    );
  });

  it('asks for TLS when DATABASE_SSL=require, so a server without TLS is refused', async () => {
    await expect(
      openDatabase({ target: db.target, entities: [], migrations: [], logger, access: { ...never, ssl: { mode: 'require' } } }),
    ).rejects.toThrow(/^The server does not support SSL connections/);
  });
});
