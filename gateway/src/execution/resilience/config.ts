import { env, parseEnv } from '@ficus/kit/service';
import { z } from 'zod';

/** How the gateway treats a subgraph that fails: its circuit breaker and retries. */
export interface SubgraphResilienceConfig {
  /**
   * Consecutive failed requests (connection error, timeout, HTTP 5xx) to one subgraph that
   * open its circuit; while open, its fields fail at once with SUBGRAPH_UNAVAILABLE. 0 never opens it.
   */
  breakerFailures: number;
  /** How long an open circuit stays open before one request is let through to probe the subgraph. */
  breakerHalfOpenAfterMs: number;
  /** Send a query's subgraph request once more when its connection was refused or reset (never a mutation). */
  retry: boolean;
}

export const defaultSubgraphResilience: SubgraphResilienceConfig = {
  breakerFailures: 5,
  breakerHalfOpenAfterMs: 5_000,
  retry: true,
};

export const subgraphResilienceEnv = {
  SUBGRAPH_BREAKER_FAILURES: z.coerce.number().int().min(0).max(1_000).default(defaultSubgraphResilience.breakerFailures),
  SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(defaultSubgraphResilience.breakerHalfOpenAfterMs),
  SUBGRAPH_RETRY: env.bool(defaultSubgraphResilience.retry),
};

/** Reads the subgraph breaker and retry variables, reporting every bad one at once (a `ConfigError`). */
export function readSubgraphResilienceConfig(processEnv: NodeJS.ProcessEnv): SubgraphResilienceConfig {
  const vars = parseEnv(subgraphResilienceEnv, processEnv);
  return {
    breakerFailures: vars.SUBGRAPH_BREAKER_FAILURES,
    breakerHalfOpenAfterMs: vars.SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS,
    retry: vars.SUBGRAPH_RETRY,
  };
}
