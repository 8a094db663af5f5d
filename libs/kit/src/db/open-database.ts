import fs from 'node:fs/promises';
import path from 'node:path';
import { EntitySchema, MikroORM, Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { inboxMigrations, InboxEntry } from '../inbox/inbox-entry';
import { OutboxEvent, outboxMigrations } from '../outbox/outbox-event';
import { DatabaseTarget, describeDatabaseTarget } from './database-target';
import { ensurePostgresDatabase } from './ensure-postgres-database';
import { ormLoggerFactory, QueryLog } from './query-log';

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
}

/** Opens the service's own database, creating it if missing, and runs pending migrations. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<MikroORM> {
  const { target, logger } = options;
  const messaging = options.outboxAndInbox ?? true;
  const shared: Options = {
    entities: [...(messaging ? [OutboxEvent, InboxEntry] : []), ...options.entities],
    extensions: [Migrator],
    migrations: {
      migrationsList: [...(messaging ? [...outboxMigrations, ...inboxMigrations] : []), ...options.migrations],
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
  };
  let orm: MikroORM;
  if (target.kind === 'postgres') {
    await ensurePostgresDatabase(target.url);
    orm = await MikroORM.init({ ...shared, driver: PostgreSqlDriver, clientUrl: target.url, pool: { min: 0, max: 10 } });
  } else {
    await fs.mkdir(path.dirname(target.path), { recursive: true });
    orm = await MikroORM.init({ ...shared, driver: LibSqlDriver, dbName: target.path });
    // WAL lets readers (backups, operators, benchmarks) in beside the service's single writer.
    await orm.em.getConnection().execute('PRAGMA journal_mode = WAL');
    await orm.em.getConnection().execute('PRAGMA busy_timeout = 5000');
  }
  const applied = await orm.getMigrator().up();
  logger.info(
    { database: describeDatabaseTarget(target), migrationsApplied: applied.map((m) => m.name) },
    'database ready',
  );
  return orm;
}
