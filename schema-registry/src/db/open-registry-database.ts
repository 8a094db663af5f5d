import { DatabaseTarget, Logger, openDatabase, Orm } from '@ficus/kit';
import { entities } from './entities';
import { migrations } from './migrations';

/** The registry's own database, migrated. It exchanges no events, so it has no outbox or inbox. */
export function openRegistryDatabase(target: DatabaseTarget, logger: Logger): Promise<Orm> {
  return openDatabase({ target, entities, migrations, logger, outboxAndInbox: false });
}
