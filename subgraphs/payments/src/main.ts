import './tracing';
import { migrateSubgraph, runService } from '@ficus/kit';
import { build } from './build';
import { readPaymentsConfig } from './config';
import { migrations } from './db/migrations';

// `main.js` serves; `main.js migrate` migrates the database and exits (an init container, `npm run migrate`).
// async, so a bad configuration (thrown while reading it) reaches runService's report-and-exit path.
runService('payments', async () => build(readPaymentsConfig(process.env)), {
  migrate: async () => migrateSubgraph(readPaymentsConfig(process.env), migrations),
});
