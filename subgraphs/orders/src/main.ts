import './tracing';
import { migrateSubgraph, runService } from '@ficus/kit';
import { build } from './build';
import { readOrdersConfig } from './config';
import { migrations } from './db/migrations';

// `main.js` serves; `main.js migrate` migrates the database and exits (an init container, `npm run migrate`).
// async, so a bad configuration (thrown while reading it) reaches runService's report-and-exit path.
runService('orders', async () => build(readOrdersConfig(process.env)), {
  migrate: async () => migrateSubgraph(readOrdersConfig(process.env), migrations),
});
