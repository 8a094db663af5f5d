import type { MigrationObject } from '@mikro-orm/core';
import type { SubgraphConfig } from '../config/subgraph-config';
import { migrateDatabase } from '../db/open-database';
import { createLogger } from '../logger';

/** `<subgraph> migrate`: the subgraph's database created if missing and migrated (outbox and inbox tables first). */
export function migrateSubgraph(config: SubgraphConfig, migrations: MigrationObject[]): Promise<string[]> {
  return migrateDatabase({
    target: config.database,
    access: config.databaseAccess,
    entities: [],
    migrations,
    logger: createLogger(config.serviceName, config.logLevel),
  });
}
