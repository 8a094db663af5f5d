import type * as Hive from '@graphql-hive/router-query-planner' with { 'resolution-mode': 'import' };

// The package's CommonJS entry loads the same native addon as its ES module; its types are published for the ES module only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const addon = require('@graphql-hive/router-query-planner') as typeof Hive;

export const HiveQueryPlanner = addon.QueryPlanner;
export type { Hive };
