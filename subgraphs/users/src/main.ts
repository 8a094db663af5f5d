import './tracing';
import { migrateSubgraph, runService } from '@ficus/kit';
import { build } from './build';
import { readUsersConfig } from './config';
import { migrations } from './db/migrations';

// `main.js` serves; `main.js migrate` migrates the database and exits (an init container, `npm run migrate`).
// async, so a bad configuration (thrown while reading it) reaches runService's report-and-exit path.
runService('users', async () => build(readUsersConfig(process.env)), {
  migrate: async () => migrateSubgraph(readUsersConfig(process.env), migrations),
});
