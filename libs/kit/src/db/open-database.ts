import fs from 'node:fs/promises';
import path from 'node:path';
import { EntitySchema, MikroORM, Options } from '@mikro-orm/core';
import type * as LibSql from '@mikro-orm/libsql';
import { Migrator } from '@mikro-orm/migrations';
import type * as PostgreSql from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { DatabaseAccess, defaultDatabaseAccess, pgSslOptions } from '../config/database-access';
import { inboxMigrations, InboxEntry } from '../inbox/inbox-entry';
import { OutboxEvent, outboxMigrations } from '../outbox/outbox-event';
import { DatabaseTarget, describeDatabaseTarget } from './database-target';
import { ensurePostgresDatabase } from './ensure-postgres-database';
import { setUpSqliteConnection } from './sqlite-connection';
import { ormLoggerFactory, QueryLog } from './query-log';
import { pendingMigrations, SchemaNotMigratedError } from './schema-version';

export type Orm = MikroORM;

export interface OpenDatabaseOptions {
  target: DatabaseTarget;
  entities: EntitySchema<any, any>[];
  /** The service's own migrations, in order; the outbox and inbox tables come first. */
  migrations: MigrationObject[];
  logger: Logger;
  queryLog?: QueryLog;
  subscribers?: Options['subscribers'];
  /** Adds the outbox and inbox tables, for services that exchange events (every subgraph). Default true. */
  outboxAndInbox?: boolean;
  /** Who migrates, pool size, TLS; `defaultDatabaseAccess` (migrate at start) when not given. */
  access?: DatabaseAccess;
}

/**
 * Opens the service's own database. With DATABASE_MIGRATE=on-start (the default) it creates
 * the database if missing and runs pending migrations; with `never` it does neither and
 * refuses (`SchemaNotMigratedError`) a schema that is not at the latest migration.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<MikroORM> {
  const { target, logger } = options;
  const access = options.access ?? defaultDatabaseAccess;
  const migrating = access.migrate === 'on-start';
  const orm = await initOrm(options, access, migrating);
  try {
    if (migrating) {
      const applied = await orm.getMigrator().up();
      logger.info({ database: describeDatabaseTarget(target), migrationsApplied: applied.map((m) => m.name) }, 'database ready');
    } else {
      const expected = migrationsOf(options).map((m) => m.name);
      const { pending, cause } = await pendingMigrations(orm, expected);
      if (pending.length > 0) throw new SchemaNotMigratedError(describeDatabaseTarget(target), pending, cause);
      logger.info({ database: describeDatabaseTarget(target), migrations: expected.length }, 'database ready, schema at the latest migration');
    }
  } catch (err) {
    await orm.close();
    throw err;
  }
  return orm;
}

/**
 * `<service> migrate`: creates the database if missing, applies pending migrations and
 * closes it, whatever DATABASE_MIGRATE says. Returns the names of the migrations applied.
 */
export async function migrateDatabase(options: OpenDatabaseOptions): Promise<string[]> {
  const access = options.access ?? defaultDatabaseAccess;
  const orm = await initOrm(options, access, true);
  try {
    const applied = (await orm.getMigrator().up()).map((m) => m.name);
    options.logger.info({ database: describeDatabaseTarget(options.target), migrationsApplied: applied }, 'database migrated');
    return applied;
  } finally {
    await orm.close();
  }
}

function migrationsOf(options: OpenDatabaseOptions): MigrationObject[] {
  const messaging = options.outboxAndInbox ?? true;
  return [...(messaging ? [...outboxMigrations, ...inboxMigrations] : []), ...options.migrations];
}

async function initOrm(options: OpenDatabaseOptions, access: DatabaseAccess, mayCreate: boolean): Promise<MikroORM> {
  const { target, logger } = options;
  const messaging = options.outboxAndInbox ?? true;
  const shared: Options = {
    entities: [...(messaging ? [OutboxEvent, InboxEntry] : []), ...options.entities],
    extensions: [Migrator],
    migrations: {
      migrationsList: migrationsOf(options),
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    subscribers: options.subscribers,
    debug: ['query'],
    loggerFactory: ormLoggerFactory(logger, options.queryLog ?? new QueryLog()),
    discovery: { warnWhenNoEntities: false },
    // mikro-orm would create a missing database itself: only a migrating start may.
    ensureDatabase: mayCreate,
  };
  // Each driver is loaded by the database that uses it: the other one held 4-5 MB of heap in every service.
  if (target.kind === 'postgres') {
    const { PostgreSqlDriver } = require('@mikro-orm/postgresql') as typeof PostgreSql;
    if (mayCreate) await ensurePostgresDatabase(target.url, access.ssl);
    const ssl = pgSslOptions(access.ssl, target.url);
    return MikroORM.init({
      ...shared,
      driver: PostgreSqlDriver,
      clientUrl: target.url,
      pool: { min: 0, max: access.poolMax },
      ...(ssl ? { driverOptions: { connection: { ssl } } } : {}),
    });
  }
  const { LibSqlDriver } = require('@mikro-orm/libsql') as typeof LibSql;
  if (mayCreate) await fs.mkdir(path.dirname(target.path), { recursive: true });
  return MikroORM.init({ ...shared, driver: LibSqlDriver, dbName: target.path, pool: { afterCreate: setUpSqliteConnection } });
}
