import { randomBytes } from 'node:crypto';
import { EXIT_WITH_PARENT_VARIABLE } from '@ficus/kit';

/** What the launcher's services share, whether they are started (`npm start`) or migrated (`npm run migrate`). */
export interface ServiceEnvOptions {
  dataDir: string;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  /** A PostgreSQL server from which each subgraph (and the registry) derives its own database. */
  postgresUrl?: string;
  /** A database URL per subgraph (and `registry`), overriding `postgresUrl`. */
  databaseUrls?: Partial<Record<string, string>>;
  /** Extra variables for every service (e.g. a short PAYMENT_TIMEOUT_MS in tests). */
  env?: Record<string, string>;
}

/** The variables every service gets from the launcher, over the launcher's own environment. */
export function sharedServiceEnv(options: ServiceEnvOptions, natsUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: options.nodeEnv,
    LOG_LEVEL: options.logLevel,
    ...options.env,
    NATS_URL: natsUrl,
    DATA_DIR: options.dataDir,
    HOST: '127.0.0.1',
    // The gateway signs the identity it forwards and the subgraphs honour only signed ones:
    // a secret of this start's own unless the environment names one.
    IDENTITY_SIGNING_SECRET: options.env?.IDENTITY_SIGNING_SECRET || process.env.IDENTITY_SIGNING_SECRET || randomBytes(32).toString('hex'),
    [EXIT_WITH_PARENT_VARIABLE]: '1',
  };
}

/** Where the service `name` keeps its data: its own URL, one derived from the server, or (neither) SQLite under DATA_DIR. */
export function databaseEnv(options: ServiceEnvOptions, name: string): NodeJS.ProcessEnv {
  const databaseUrl = options.databaseUrls?.[name];
  if (databaseUrl) return { DATABASE_URL: databaseUrl };
  return options.postgresUrl ? { POSTGRES_URL: options.postgresUrl } : {};
}
