import path from 'node:path';
import { collectConfigProblems, ConfigError, env, identitySigningSecret, parseEnv, requestBodiesEnv, reusePortEnv } from '@ficus/kit/service';
import type { EngineName } from './engine/engine';
import { readSubgraphResilienceConfig, SubgraphResilienceConfig } from './execution/resilience/config';
import { RateLimitConfig, rateLimitConfigFrom, rateLimitEnv } from './rate-limit';
import { readSafetyConfig, SafetyConfig } from './safety';
import { readTrustedDocumentsConfig, TrustedDocumentsConfig } from './trusted-documents';
import { z } from 'zod';

export type NodeEnv = 'development' | 'production' | 'test';

/** Where the gateway gets its supergraph at start. */
export type SupergraphSource =
  /** A rover supergraph.yaml, composed by the gateway. */
  | { kind: 'config'; path: string }
  /** A supergraph SDL composed beforehand (`ficus supergraph compose --output`). */
  | { kind: 'file'; path: string }
  /** The schema registry: the variant's latest supergraph, reloaded as new ones are published. */
  | { kind: 'registry'; registry: RegistryConnection; cacheFile: string };

/** How the gateway reaches the schema registry (docs/schema-registry.md, "Gateway contracts"). */
export interface RegistryConnection {
  /** e.g. http://127.0.0.1:4100, without a trailing slash. */
  url: string;
  /** A key with the `read` and `report` scopes. */
  apiKey: string;
  /** `graph@variant`. */
  graphRef: string;
}

/** Usage reporting to the registry: batches sent every `intervalMs` or at `maxOperations` distinct operations. */
export interface UsageReportingConfig {
  registry: RegistryConnection;
  intervalMs: number;
  maxOperations: number;
}

/** The keys bearer tokens are verified against. */
export type TokenKeySource = { kind: 'jwks'; url: string } | { kind: 'public-key'; pem: string };

/** Everything the gateway needs; read once in `main.ts`, passed down. */
export interface GatewayConfig {
  nodeEnv: NodeEnv;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** REUSE_PORT: share the port with other gateway processes on this machine (SO_REUSEPORT). */
  reusePort: boolean;
  logLevel: string;
  /** Where files the gateway keeps across restarts go (cached supergraphs and persisted query lists). */
  dataDir: string;
  supergraph: SupergraphSource;
  tokenKeys: TokenKeySource;
  /** Required `iss` claim of bearer tokens. */
  jwtIssuer: string;
  /** Required `aud` claim of bearer tokens. */
  jwtAudience: string;
  /** Browser origins allowed besides the hosted Apollo Sandbox. */
  corsOrigins: string[];
  bodyLimitBytes: number;
  /** REQUEST_BODIES_MAX_BYTES: the request-body bytes held at once, across requests; past it a request is answered 503 SERVICE_OVERLOADED. */
  requestBodiesMaxBytes: number;
  /** Longest a client may take to send a whole request (its headers at most 10 s of it); then 408 and the connection closes. */
  requestTimeoutMs: number;
  /** Longest wait for one subgraph response. */
  subgraphTimeoutMs: number;
  /** The secret identity headers to subgraphs are signed with; null sends them unsigned. */
  identitySigningSecret: string | null;
  /** Null unless the supergraph comes from the registry. */
  usageReporting: UsageReportingConfig | null;
  subscriptions: SubscriptionsConfig;
  /** Whether `__schema` and `__type` are answered: off in production unless INTROSPECTION=true. */
  introspection: boolean;
  /** Operation limits and demand control, checked before planning (docs/security.md). */
  safety: SafetyConfig;
  rateLimit: RateLimitConfig;
  trustedDocuments: TrustedDocumentsConfig;
  subgraphResilience: SubgraphResilienceConfig;
  engine: EngineConfig;
}

/** What plans and executes operations (docs/architecture.md, "The engine"). */
export interface EngineConfig {
  /** `ficus` (ours) or `apollo-gateway` (@apollo/gateway's planner and executor, the reference). */
  name: EngineName;
  /** Identical subgraph reads in flight share one request (SUBGRAPH_DEDUPLICATION, on by default). */
  deduplicate: boolean;
  /** Progressive @override labels (not `percent(N)` ones) switched on (OVERRIDE_LABELS). */
  overrideLabels: ReadonlySet<string>;
  planningTimeoutMs: number;
  planCacheSize: number;
}

/** Subscriptions over graphql-ws, SSE and multipart HTTP (docs/subscriptions.md). */
export interface SubscriptionsConfig {
  /**
   * Ping interval on client and subgraph sockets. A peer that does not answer a ping within
   * the same interval is dropped: a dead subgraph ends its subscriptions within twice this.
   */
  keepAliveMs: number;
  /** Subscriptions one client connection may hold open at once. */
  maxPerConnection: number;
  /** WebSocket connections one client IP may hold open at once; one more upgrade is refused with 429. */
  maxConnectionsPerClient: number;
  /**
   * Subscription streams over HTTP (SSE, multipart) one client IP may hold open at once. The
   * per-connection limit cannot apply there: every HTTP subscription is a request of its own.
   */
  maxPerClient: number;
  /** Interval of heartbeats on HTTP subscription streams (`{}` parts, SSE comments), so proxies keep them open. */
  httpHeartbeatMs: number;
  /**
   * Events one subscription may have waiting for its client (Apollo Router's `queue_capacity`):
   * one more ends it with SUBSCRIPTION_CLIENT_TOO_SLOW, so a client that stops reading holds a
   * bounded amount of the gateway's memory.
   */
  queueCapacity: number;
}

export const defaultJwksUrl = 'http://127.0.0.1:4001/.well-known/jwks.json';

const origin = z.url({ protocol: /^https?$/ }).refine((value) => new URL(value).origin === value.replace(/\/$/, ''), {
  message: 'must be an origin (scheme://host[:port]) without a path',
});

const gatewayEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: env.port(4000),
  REUSE_PORT: reusePortEnv(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SUPERGRAPH_CONFIG: z.string().optional(),
  SUPERGRAPH_FILE: z.string().optional(),
  JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  JWT_PUBLIC_KEY: z
    .string()
    // Environment files often carry a PEM on one line with literal "\n".
    .transform((pem) => pem.replace(/\\n/g, '\n'))
    .refine((pem) => pem.includes('-----BEGIN PUBLIC KEY-----'), 'must be a PEM SPKI public key (BEGIN PUBLIC KEY)')
    .optional(),
  JWT_ISSUER: z.string().default('ficus-users'),
  JWT_AUDIENCE: z.string().default('ficus'),
  CORS_ORIGINS: z
    .string()
    .transform((list) => list.split(',').map((entry) => entry.trim()).filter(Boolean))
    .pipe(z.array(origin))
    .default([]),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_000_000),
  ...requestBodiesEnv,
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  IDENTITY_SIGNING_SECRET: identitySigningSecret.optional(),
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  FICUS_REGISTRY_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  FICUS_API_KEY: z.string().optional(),
  FICUS_GRAPH_REF: z
    .string()
    .regex(/^[A-Za-z][\w-]{0,63}@[A-Za-z][\w-]{0,63}$/, 'must be graph@variant, e.g. shop@current')
    .default('shop@current'),
  DATA_DIR: z.string().default('.data'),
  USAGE_REPORT_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  SUBSCRIPTION_KEEP_ALIVE_MS: z.coerce.number().int().min(100).default(12_000),
  SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().positive().default(100),
  SUBSCRIPTIONS_PER_CLIENT: z.coerce.number().int().positive().default(200),
  SUBSCRIPTION_CONNECTIONS_PER_CLIENT: z.coerce.number().int().positive().default(50),
  SUBSCRIPTION_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5_000),
  SUBSCRIPTION_QUEUE_CAPACITY: z.coerce.number().int().positive().max(1_000_000).default(1_000),
  INTROSPECTION: z.enum(['true', 'false']).optional(),
  GATEWAY_ENGINE: z.enum(['ficus', 'apollo-gateway']).default('ficus'),
  SUBGRAPH_DEDUPLICATION: z.enum(['on', 'off']).default('on'),
  OVERRIDE_LABELS: z
    .string()
    .transform((list) => list.split(',').map((entry) => entry.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Za-z][\w.:-]*$/, 'must be a comma-separated list of @override labels')))
    .default([]),
  QUERY_PLANNING_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  QUERY_PLAN_CACHE_SIZE: z.coerce.number().int().positive().default(2_000),
  ...rateLimitEnv,
};

/** Pairs of variables that name the same thing two ways. */
const alternatives = [
  ['SUPERGRAPH_CONFIG', 'SUPERGRAPH_FILE'],
  ['JWKS_URL', 'JWT_PUBLIC_KEY'],
  ['FICUS_REGISTRY_URL', 'SUPERGRAPH_CONFIG'],
  ['FICUS_REGISTRY_URL', 'SUPERGRAPH_FILE'],
] as const;

/** The most distinct operations one usage batch holds before it is sent early. */
const usageBatchMaxOperations = 1_000;

/** Reads the gateway's variables, reporting every bad one at once (a `ConfigError`). */
export function readGatewayConfig(processEnv: NodeJS.ProcessEnv): GatewayConfig {
  const conflicts = alternatives
    .filter(([a, b]) => processEnv[a] && processEnv[b])
    .map(([a, b]) => `${a}, ${b}: set one of them, not both`);
  if (processEnv.FICUS_REGISTRY_URL && !processEnv.FICUS_API_KEY) {
    conflicts.push('FICUS_API_KEY: required with FICUS_REGISTRY_URL (a registry key with the read and report scopes)');
  }
  const problems: string[] = [];
  const vars = collectConfigProblems(problems, () => parseEnv(gatewayEnv, processEnv));
  const safety = collectConfigProblems(problems, () => readSafetyConfig(processEnv));
  const trustedDocuments = collectConfigProblems(problems, () => readTrustedDocumentsConfig(processEnv));
  const subgraphResilience = collectConfigProblems(problems, () => readSubgraphResilienceConfig(processEnv));
  problems.push(...conflicts);
  if (!vars || !safety || !trustedDocuments || !subgraphResilience || problems.length > 0) throw new ConfigError(problems);

  const registry: RegistryConnection | null = vars.FICUS_REGISTRY_URL
    ? { url: vars.FICUS_REGISTRY_URL, apiKey: vars.FICUS_API_KEY!, graphRef: vars.FICUS_GRAPH_REF }
    : null;
  return {
    nodeEnv: vars.NODE_ENV,
    host: vars.HOST,
    port: vars.PORT,
    reusePort: vars.REUSE_PORT,
    logLevel: vars.LOG_LEVEL,
    dataDir: path.resolve(vars.DATA_DIR),
    supergraph: registry
      ? { kind: 'registry', registry, cacheFile: supergraphCacheFile(vars.DATA_DIR, registry.graphRef) }
      : vars.SUPERGRAPH_FILE
        ? { kind: 'file', path: path.resolve(vars.SUPERGRAPH_FILE) }
        : { kind: 'config', path: path.resolve(vars.SUPERGRAPH_CONFIG ?? 'supergraph.yaml') },
    tokenKeys: vars.JWT_PUBLIC_KEY
      ? { kind: 'public-key', pem: vars.JWT_PUBLIC_KEY }
      : { kind: 'jwks', url: vars.JWKS_URL ?? defaultJwksUrl },
    jwtIssuer: vars.JWT_ISSUER,
    jwtAudience: vars.JWT_AUDIENCE,
    corsOrigins: vars.CORS_ORIGINS,
    bodyLimitBytes: vars.BODY_LIMIT_BYTES,
    requestBodiesMaxBytes: vars.REQUEST_BODIES_MAX_BYTES,
    requestTimeoutMs: vars.HTTP_REQUEST_TIMEOUT_MS,
    subgraphTimeoutMs: vars.SUBGRAPH_TIMEOUT_MS,
    identitySigningSecret: vars.IDENTITY_SIGNING_SECRET ?? null,
    usageReporting: registry
      ? { registry, intervalMs: vars.USAGE_REPORT_INTERVAL_MS, maxOperations: usageBatchMaxOperations }
      : null,
    subscriptions: {
      keepAliveMs: vars.SUBSCRIPTION_KEEP_ALIVE_MS,
      maxPerConnection: vars.SUBSCRIPTIONS_PER_CONNECTION,
      maxConnectionsPerClient: vars.SUBSCRIPTION_CONNECTIONS_PER_CLIENT,
      maxPerClient: vars.SUBSCRIPTIONS_PER_CLIENT,
      httpHeartbeatMs: vars.SUBSCRIPTION_HEARTBEAT_MS,
      queueCapacity: vars.SUBSCRIPTION_QUEUE_CAPACITY,
    },
    introspection: vars.INTROSPECTION ? vars.INTROSPECTION === 'true' : vars.NODE_ENV !== 'production',
    safety,
    rateLimit: rateLimitConfigFrom(vars),
    trustedDocuments,
    subgraphResilience,
    engine: {
      name: vars.GATEWAY_ENGINE,
      deduplicate: vars.SUBGRAPH_DEDUPLICATION === 'on',
      overrideLabels: new Set(vars.OVERRIDE_LABELS),
      planningTimeoutMs: vars.QUERY_PLANNING_TIMEOUT_MS,
      planCacheSize: vars.QUERY_PLAN_CACHE_SIZE,
    },
  };
}

/** Where the last supergraph loaded from the registry is kept, for a start while the registry is down. */
export function supergraphCacheFile(dataDir: string, graphRef: string): string {
  const [graph, variant] = graphRef.split('@');
  return path.resolve(dataDir, `supergraph-${graph}-${variant}.graphql`);
}
