import type { Logger } from '@ficus/kit/service';
import type { RateLimitConfig } from './config';
import { MemoryRateLimiter } from './memory-rate-limiter';
import type { RateDecisionObserver, RateLimiter } from './rate-limiter';
import type * as RedisLimiter from './redis-rate-limiter';

/**
 * The limiter the config asks for: null when rate limits are off, shared through Redis when
 * REDIS_URL is set, else in memory. Waits for Redis at most `connectWithinMs`; the gateway
 * starts either way and fails open until Redis answers. The Redis client is loaded only then:
 * a gateway without REDIS_URL does not carry it in its heap.
 */
export async function createRateLimiter(
  config: RateLimitConfig,
  deps: { logger: Logger; observe?: RateDecisionObserver; connectWithinMs?: number },
): Promise<RateLimiter | null> {
  if (!config.enabled) return null;
  if (!config.redis) return new MemoryRateLimiter({ budgets: config.budgets, observe: deps.observe });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { RedisRateLimiter } = require('./redis-rate-limiter') as typeof RedisLimiter;
  const limiter = new RedisRateLimiter({ ...config.redis, budgets: config.budgets, logger: deps.logger, observe: deps.observe });
  await limiter.connect(deps.connectWithinMs ?? 2_000);
  return limiter;
}
