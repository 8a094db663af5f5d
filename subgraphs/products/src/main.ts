import './tracing';
import { migrateSubgraph, readSubgraphConfig, runService } from '@ficus/kit';
import { build } from './build';
import { migrations } from './db/migrations';

// `main.js` serves; `main.js migrate` migrates the database and exits (an init container, `npm run migrate`).
// async, so a bad configuration (thrown while reading it) reaches runService's report-and-exit path.
runService('products', async () => build(readSubgraphConfig('products', 4002)), {
  migrate: async () => migrateSubgraph(readSubgraphConfig('products', 4002), migrations),
});
