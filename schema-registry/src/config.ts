import os from 'node:os';
import path from 'node:path';
import { ConfigError, DatabaseAccess, databaseAccessEnv, databaseAccessOf, DatabaseTarget, env, LogLevel, NodeEnv, parseEnv, requestBodiesEnv, resolveDatabaseTarget, subgraphEnv } from '@ficus/kit';
import { z } from 'zod';

/** What the registry needs to boot. Read once in `main.ts` (and by `ficus key create`), passed down. */
export interface RegistryConfig {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  /** REUSE_PORT: share the port with other registry processes on this machine (SO_REUSEPORT). */
  reusePort: boolean;
  logLevel: LogLevel;
  dataDir: string;
  database: DatabaseTarget;
  /** Who migrates the database, pool size, TLS (DATABASE_MIGRATE, DATABASE_POOL_MAX, DATABASE_SSL…). */
  databaseAccess?: DatabaseAccess;
  /** Largest accepted request body, in bytes: usage batches from busy gateways are big. */
  bodyLimitBytes: number;
  /** REQUEST_BODIES_MAX_BYTES: the request-body bytes held at once, across requests; past it a request is answered 503 SERVICE_OVERLOADED. */
  requestBodiesMaxBytes: number;
  /** Usage reports read and stored at once; more wait, so ingestion's memory stays bounded. */
  usageIngestConcurrency: number;
  /** The longest a gateway's `GET /api/supergraph/…?after=` may wait for a newer supergraph. */
  longPollMaxSeconds: number;
  /** The `minDelaySeconds` the Uplink endpoint gives routers: how long they wait before asking again. */
  uplinkMinDelaySeconds: number;
  /** COMPOSITION_WORKERS: worker threads composing for publishes and checks (default: one per two cores, at least one). */
  compositionWorkers: number;
  /** COMPOSITION_QUEUE_MAX: compositions that may wait for a worker; past it a check or publish fails with QUEUE_FULL. */
  compositionQueueMax: number;
  /**
   * COMPOSITION_WORKER_MAX_HEAP_MB: a worker's old-generation heap limit; a composition past it fails with
   * WORKER_FAILED. The default holds a graph of about 4,000 types (40 subgraphs), whose composition keeps
   * at most about 170 MB alive after a full collection: V8 keeps the heap at most halfway between that and
   * the limit, and the pages it frees stay with the process, so the limit sets the registry's peak.
   */
  compositionWorkerMaxHeapMb: number;
  /**
   * COMPOSITION_WORKER_SEMI_SPACE_MB: a worker's semi-space size. Larger ones make compositions
   * cheaper (less of their garbage reaches the old generation) at the cost of the worker's memory.
   */
  compositionWorkerSemiSpaceMb: number;
  /**
   * COMPOSITION_TIMEOUT_MS: the longest one composition may run; past it its worker is replaced and
   * the publish or check fails with COMPOSITION_TIMEOUT. The bench graph (40 subgraphs, 4,000 types)
   * composes in about 3 s.
   */
  compositionTimeoutMs: number;
  /**
   * Development only: a key with every scope, stored (hashed) at start, so that a launcher
   * (`npm start`) can publish and run a gateway without `ficus key create`. Never in production.
   */
  bootstrapKey?: string;
}

export const registryDefaultPort = 4100;

const registryEnv = {
  NODE_ENV: subgraphEnv.NODE_ENV,
  HOST: subgraphEnv.HOST,
  REUSE_PORT: subgraphEnv.REUSE_PORT,
  LOG_LEVEL: subgraphEnv.LOG_LEVEL,
  DATA_DIR: subgraphEnv.DATA_DIR,
  DATABASE_URL: subgraphEnv.DATABASE_URL,
  POSTGRES_URL: subgraphEnv.POSTGRES_URL,
  ...databaseAccessEnv,
  PORT: env.port(registryDefaultPort),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(10_000_000),
  ...requestBodiesEnv,
  USAGE_INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  LONG_POLL_MAX_SECONDS: z.coerce.number().int().min(1).max(300).default(60),
  UPLINK_MIN_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  COMPOSITION_WORKERS: z.coerce.number().int().min(1).max(64).default(Math.max(1, Math.floor(os.availableParallelism() / 2))),
  COMPOSITION_QUEUE_MAX: z.coerce.number().int().min(1).max(10_000).default(32),
  COMPOSITION_WORKER_MAX_HEAP_MB: z.coerce.number().int().min(64).default(288),
  COMPOSITION_WORKER_SEMI_SPACE_MB: z.coerce.number().int().min(1).max(256).default(16),
  COMPOSITION_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  REGISTRY_BOOTSTRAP_KEY: z.string().min(32, 'must be at least 32 characters of random').optional(),
};

/**
 * Reads the registry's variables, reporting every bad one at once (`ConfigError`). Its database
 * is `DATA_DIR/registry.sqlite` by default, `DATABASE_URL`, or `ficus_registry` on `POSTGRES_URL`.
 */
export function readRegistryConfig(processEnv: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const parsed = parseEnv(registryEnv, processEnv);
  if (parsed.REGISTRY_BOOTSTRAP_KEY && parsed.NODE_ENV === 'production') {
    throw new ConfigError(['REGISTRY_BOOTSTRAP_KEY: refused when NODE_ENV=production; create keys with `ficus key create`']);
  }
  const dataDir = path.resolve(parsed.DATA_DIR);
  return {
    nodeEnv: parsed.NODE_ENV,
    host: parsed.HOST,
    port: parsed.PORT,
    reusePort: parsed.REUSE_PORT,
    logLevel: parsed.LOG_LEVEL,
    dataDir,
    bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
    requestBodiesMaxBytes: parsed.REQUEST_BODIES_MAX_BYTES,
    usageIngestConcurrency: parsed.USAGE_INGEST_CONCURRENCY,
    longPollMaxSeconds: parsed.LONG_POLL_MAX_SECONDS,
    uplinkMinDelaySeconds: parsed.UPLINK_MIN_DELAY_SECONDS,
    compositionWorkers: parsed.COMPOSITION_WORKERS,
    compositionQueueMax: parsed.COMPOSITION_QUEUE_MAX,
    compositionWorkerMaxHeapMb: parsed.COMPOSITION_WORKER_MAX_HEAP_MB,
    compositionWorkerSemiSpaceMb: parsed.COMPOSITION_WORKER_SEMI_SPACE_MB,
    compositionTimeoutMs: parsed.COMPOSITION_TIMEOUT_MS,
    bootstrapKey: parsed.REGISTRY_BOOTSTRAP_KEY,
    databaseAccess: databaseAccessOf(parsed),
    database: resolveDatabaseTarget({
      serviceName: 'registry',
      databaseUrl: parsed.DATABASE_URL,
      postgresUrl: parsed.POSTGRES_URL,
      dataDir,
    }),
  };
}
