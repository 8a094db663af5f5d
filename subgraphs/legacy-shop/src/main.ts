import './tracing';
import { migrateSubgraph, readSubgraphConfig, runService } from '@ficus/kit';
import { build } from './build';
import { migrations } from './db/migrations';

// `main.js` serves; `main.js migrate` migrates the database and exits (an init container, `npm run migrate`).
// async, so a bad configuration (thrown while reading it) reaches runService's report-and-exit path.
runService('legacy-shop', async () => build(readSubgraphConfig('legacy-shop', 4007)), {
  migrate: async () => migrateSubgraph(readSubgraphConfig('legacy-shop', 4007), migrations),
});
