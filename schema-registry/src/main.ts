import './tracing';
import { createLogger, runService } from '@ficus/kit';
import { build } from './build';
import { readRegistryConfig } from './config';
import { migrateRegistryDatabase } from './db/open-registry-database';

// `main.js` serves; `main.js migrate` migrates the database and exits (an init container, `npm run migrate`).
runService('schema-registry', async () => build(readRegistryConfig()), {
  migrate: async () => {
    const config = readRegistryConfig();
    return migrateRegistryDatabase(config.database, createLogger('schema-registry', config.logLevel), config.databaseAccess);
  },
});
