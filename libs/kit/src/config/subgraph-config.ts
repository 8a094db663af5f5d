import path from 'node:path';
import { z } from 'zod';
import { collectConfigProblems, ConfigError, env, parseEnv } from './parse-config';
import { identitySigningSecret } from './identity-signing-secret';
import { reusePortEnv } from './reuse-port';
import { requestBodiesEnv } from './request-bodies';
import { DatabaseTarget, resolveDatabaseTarget } from '../db/database-target';
import { DatabaseAccess, databaseAccessEnv, databaseAccessOf } from './database-access';
import { natsAccessEnv, natsAccessOf, natsAccessProblems, SubgraphNatsAccess } from './nats-access';

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** What every subgraph needs to boot. Built once in `main.ts`, passed down, never re-read. */
export interface SubgraphConfig {
  serviceName: string;
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  /** REUSE_PORT: share the port with other instances on this machine (SO_REUSEPORT). */
  reusePort: boolean;
  logLevel: LogLevel;
  /** NATS_URL: one server, or the members of a cluster, comma-separated. */
  natsUrl: string;
  /** Credentials, TLS and stream replicas; a config built by hand (tests) gets `defaultNatsAccess`. */
  natsAccess?: SubgraphNatsAccess;
  dataDir: string;
  database: DatabaseTarget;
  /** Who migrates the database, pool size, TLS; a config built by hand (tests) gets `defaultDatabaseAccess`. */
  databaseAccess?: DatabaseAccess;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
  /** REQUEST_BODIES_MAX_BYTES: the request bodies held at once, across requests (default `defaultRequestBodiesMaxBytes`). */
  requestBodiesMaxBytes?: number;
  /**
   * The secret the gateway signs its requests with: given one, the subgraph answers only
   * requests the gateway signed (and an unsigned `{ _service { sdl } }`); null trusts
   * x-ficus-* headers unsigned (a subgraph only the gateway can reach).
   */
  identitySigningSecret: string | null;
  /** What one operation may ask, however it arrives. */
  limits: SubgraphLimits;
}

/** The operation limits a deployment tunes; page sizes belong to the schema and stay in code. */
export interface SubgraphLimits {
  /** MAX_DEPTH: deepest field nesting (a root field is 1). */
  maxDepth: number;
  /** MAX_ENTITY_REPRESENTATIONS: representations in one `_entities` call. */
  maxEntityRepresentations: number;
  /** MAX_LIST_LENGTH: longest list in any argument (representations aside). */
  maxListLength: number;
}

export { identitySigningSecret } from './identity-signing-secret';
export * from './database-access';
export * from './nats-access';

// The ORM builds its connection from the URL's parts and drops its query: a `sslmode` there would
// silently connect without TLS, so it is refused and DATABASE_SSL says what TLS to use.
const withoutSslMode = (url: string) => !/[?&]sslmode=/i.test(url);
const sslModeInUrl = 'sslmode in the URL is not applied: use DATABASE_SSL (and DATABASE_SSL_CA) instead';

export const subgraphEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  REUSE_PORT: reusePortEnv(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...natsAccessEnv,
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|file:)/, 'must be a postgres:// URL or file:<path> for SQLite')
    .refine(withoutSslMode, sslModeInUrl)
    .optional(),
  POSTGRES_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').refine(withoutSslMode, sslModeInUrl).optional(),
  ...databaseAccessEnv,
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_000_000),
  ...requestBodiesEnv,
  IDENTITY_SIGNING_SECRET: identitySigningSecret.optional(),
  MAX_DEPTH: z.coerce.number().int().positive().default(15),
  // The widest plan the graph allows: 100 orders of 50 items, each item a product reference.
  MAX_ENTITY_REPRESENTATIONS: z.coerce.number().int().positive().default(5_000),
  MAX_LIST_LENGTH: z.coerce.number().int().positive().default(100),
};

/**
 * Reads the variables every subgraph shares. Each service runs as its own process, so
 * `PORT` and `DATABASE_URL` are its own; the stack launcher sets them per service.
 */
export function readSubgraphConfig(
  serviceName: string,
  defaultPort: number,
  processEnv: NodeJS.ProcessEnv = process.env,
): SubgraphConfig {
  const problems: string[] = [];
  const parsed = collectConfigProblems(problems, () => parseEnv({ ...subgraphEnv, PORT: env.port(defaultPort) }, processEnv));
  problems.push(...natsAccessProblems(processEnv));
  if (!parsed || problems.length > 0) throw new ConfigError(problems);
  const dataDir = path.resolve(parsed.DATA_DIR);
  return {
    serviceName,
    nodeEnv: parsed.NODE_ENV,
    host: parsed.HOST,
    port: parsed.PORT,
    reusePort: parsed.REUSE_PORT,
    logLevel: parsed.LOG_LEVEL,
    natsUrl: parsed.NATS_URL,
    natsAccess: natsAccessOf(parsed),
    dataDir,
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
    requestBodiesMaxBytes: parsed.REQUEST_BODIES_MAX_BYTES,
    identitySigningSecret: parsed.IDENTITY_SIGNING_SECRET ?? null,
    limits: {
      maxDepth: parsed.MAX_DEPTH,
      maxEntityRepresentations: parsed.MAX_ENTITY_REPRESENTATIONS,
      maxListLength: parsed.MAX_LIST_LENGTH,
    },
    databaseAccess: databaseAccessOf(parsed),
    database: resolveDatabaseTarget({
      serviceName,
      databaseUrl: parsed.DATABASE_URL,
      postgresUrl: parsed.POSTGRES_URL,
      dataDir,
    }),
  };
}
