import path from 'node:path';
import { ConfigError, env, parseEnv } from '@ficus/kit/service';
import { z } from 'zod';

/**
 * - `off`: manifests are ignored; APQ (if on) and any text are served.
 * - `log`: ids of listed operations are resolved; operations not in the list are served, logged and counted.
 * - `refuse`: only listed operations run, sent by id or as a body equal to a listed one (safelisting).
 */
export type PersistedQueriesMode = 'off' | 'log' | 'refuse';

/** Where the persisted query list comes from. */
export type PersistedQueriesSource =
  /** The registry's list for FICUS_GRAPH_REF, followed by long-poll (FICUS_REGISTRY_URL). */
  | { kind: 'registry' }
  /** A manifest file, read once at start (PERSISTED_QUERIES_MANIFEST). */
  | { kind: 'file'; path: string }
  | { kind: 'none' };

export interface TrustedDocumentsConfig {
  mode: PersistedQueriesMode;
  source: PersistedQueriesSource;
  /** refuse only: operations must be sent by id, never as text (Router's `safelist.require_id`). */
  requireId: boolean;
  /** Automatic persisted queries (Apollo's protocol): id-only requests resolved from a store clients fill. */
  apq: { enabled: boolean; maxBytes: number };
}

/** The zod fields, merged into the gateway's environment schema. */
export const trustedDocumentsEnv = {
  PERSISTED_QUERIES: z.enum(['off', 'log', 'refuse']).default('off'),
  PERSISTED_QUERIES_MANIFEST: z.string().optional(),
  PERSISTED_QUERIES_REQUIRE_ID: env.bool(false),
  APQ: z.enum(['on', 'off']).optional(),
  APQ_CACHE_MAX_BYTES: z.coerce.number().int().min(1_000).default(16_000_000),
};

/**
 * Reads the trusted-document variables, reporting every bad one, and every bad combination, at
 * once (a `ConfigError`). APQ defaults to on, except with NODE_ENV=production and in refuse mode,
 * where registering operations at run time would open the list to anything.
 */
export function readTrustedDocumentsConfig(processEnv: NodeJS.ProcessEnv): TrustedDocumentsConfig {
  const vars = parseEnv(trustedDocumentsEnv, processEnv);
  const hasRegistry = Boolean(processEnv.FICUS_REGISTRY_URL);
  const problems: string[] = [];
  if (vars.PERSISTED_QUERIES_MANIFEST && hasRegistry) {
    problems.push('PERSISTED_QUERIES_MANIFEST, FICUS_REGISTRY_URL: set one of them, not both (with a registry the list is its published one)');
  }
  if (vars.PERSISTED_QUERIES !== 'off' && !vars.PERSISTED_QUERIES_MANIFEST && !hasRegistry) {
    problems.push(`PERSISTED_QUERIES: ${vars.PERSISTED_QUERIES} needs a list: set FICUS_REGISTRY_URL or PERSISTED_QUERIES_MANIFEST`);
  }
  if (vars.APQ === 'on' && vars.PERSISTED_QUERIES === 'refuse') {
    problems.push('APQ: on cannot go with PERSISTED_QUERIES=refuse: clients could register any operation');
  }
  if (vars.PERSISTED_QUERIES_REQUIRE_ID && vars.PERSISTED_QUERIES !== 'refuse') {
    problems.push('PERSISTED_QUERIES_REQUIRE_ID: only with PERSISTED_QUERIES=refuse');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const apqByDefault = processEnv.NODE_ENV !== 'production' && vars.PERSISTED_QUERIES !== 'refuse';
  return {
    mode: vars.PERSISTED_QUERIES,
    source: vars.PERSISTED_QUERIES_MANIFEST
      ? { kind: 'file', path: path.resolve(vars.PERSISTED_QUERIES_MANIFEST) }
      : hasRegistry
        ? { kind: 'registry' }
        : { kind: 'none' },
    requireId: vars.PERSISTED_QUERIES_REQUIRE_ID,
    apq: { enabled: vars.APQ ? vars.APQ === 'on' : apqByDefault, maxBytes: vars.APQ_CACHE_MAX_BYTES },
  };
}

/** Where the last list loaded from the registry is kept, for a start while the registry is down. */
export function persistedQueriesCacheFile(dataDir: string, graphRef: string): string {
  const [graph, variant] = graphRef.split('@');
  return path.resolve(dataDir, `persisted-queries-${graph}-${variant}.json`);
}
