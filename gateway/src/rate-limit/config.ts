import { parseEnv } from '@ficus/kit/service';
import { z } from 'zod';
import type { RateBudgets } from './rate-limiter';
import { TrustedProxies } from './trusted-proxies';

/** Rate limits per client (docs: README, gateway configuration). */
export interface RateLimitConfig {
  /** Off: nothing is counted. */
  enabled: boolean;
  budgets: RateBudgets;
  /** Budgets shared by every gateway through this Redis; null keeps them in this process's memory. */
  redis: { url: string; keyPrefix: string; commandTimeoutMs: number } | null;
  /** Proxies whose X-Forwarded-For is believed when they are the socket's peer: addresses, CIDR ranges or names. */
  trustedProxies: string[];
}

const commaList = z.string().transform((list) => list.split(',').map((entry) => entry.trim()).filter(Boolean));

export const rateLimitEnv = {
  RATE_LIMIT: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(60_000),
  RATE_LIMIT_REQUESTS: z.coerce.number().int().positive().default(1_200),
  RATE_LIMIT_COST: z.coerce.number().int().positive().default(200_000),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  REDIS_KEY_PREFIX: z.string().max(100).default('ficus:rate:'),
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(200),
  TRUSTED_PROXIES: commaList
    .superRefine((entries, ctx) => {
      try {
        new TrustedProxies(entries);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .default([]),
};

export type RateLimitVars = z.infer<z.ZodObject<typeof rateLimitEnv>>;

/** The config from variables already parsed with `rateLimitEnv` (merged into the gateway's own schema). */
export function rateLimitConfigFrom(vars: RateLimitVars): RateLimitConfig {
  return {
    enabled: vars.RATE_LIMIT === 'on',
    budgets: { windowMs: vars.RATE_LIMIT_WINDOW_MS, requests: vars.RATE_LIMIT_REQUESTS, cost: vars.RATE_LIMIT_COST },
    redis: vars.REDIS_URL
      ? { url: vars.REDIS_URL, keyPrefix: vars.REDIS_KEY_PREFIX, commandTimeoutMs: vars.REDIS_COMMAND_TIMEOUT_MS }
      : null,
    trustedProxies: vars.TRUSTED_PROXIES,
  };
}

/** Reads the rate limit variables alone, every bad one reported at once (a `ConfigError`). */
export function readRateLimitConfig(processEnv: NodeJS.ProcessEnv): RateLimitConfig {
  return rateLimitConfigFrom(parseEnv(rateLimitEnv, processEnv));
}
