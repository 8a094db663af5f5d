import { DatabaseAccess, DatabaseTarget, Logger, migrateDatabase, openDatabase, Orm } from '@ficus/kit';
import { entities } from './entities';
import { migrations } from './migrations';

/** The registry's own database, migrated. It exchanges no events, so it has no outbox or inbox. */
export function openRegistryDatabase(target: DatabaseTarget, logger: Logger, access?: DatabaseAccess): Promise<Orm> {
  return openDatabase({ target, entities, migrations, logger, access, outboxAndInbox: false });
}

/** `registry migrate`: its database created if missing and migrated, then closed. */
export function migrateRegistryDatabase(target: DatabaseTarget, logger: Logger, access?: DatabaseAccess): Promise<string[]> {
  return migrateDatabase({ target, entities, migrations, logger, access, outboxAndInbox: false });
}
