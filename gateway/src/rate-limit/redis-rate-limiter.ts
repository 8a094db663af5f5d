import type { Logger } from '@ficus/kit/service';
import Redis from 'ioredis';
import { neverFits, refillStepUs, refused, wholeCost } from './budget-arithmetic';
import { consumeScript } from './consume-script';
import type { RateBudgets, RateDecision, RateDecisionObserver, RateLimiter } from './rate-limiter';

export interface RedisRateLimiterOptions {
  url: string;
  /** Put before every key, so gateways of different stacks (or tests) sharing one Redis do not collide. */
  keyPrefix: string;
  budgets: RateBudgets;
  /** The longest an operation waits for Redis before it is let through unchecked. */
  commandTimeoutMs: number;
  logger: Logger;
  observe?: RateDecisionObserver;
}

type ConsumeReply = [1] | [0, 1 | 2, number];

interface WithConsume {
  ficusRateConsume(key: string, windowUs: number, requestStepUs: number, costStepUs: number, cost: number): Promise<ConsumeReply>;
}

/**
 * Budgets shared by every gateway pointed at the same Redis. Each operation is one script
 * call (one round trip). When Redis cannot answer within `commandTimeoutMs` (down, not yet
 * connected, slow), the operation is let through: the gateway fails open, so an outage of
 * the rate store is not an outage of the graph. It logs a warning once per outage and the
 * observer counts each such operation as `unavailable`.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis & WithConsume;
  private degraded = false;

  constructor(private readonly options: RedisRateLimiterOptions) {
    this.redis = new Redis(options.url, {
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(1_000, options.commandTimeoutMs),
      // Fail at once while disconnected instead of queueing operations behind a reconnect.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 5_000),
      lazyConnect: true,
    }) as Redis & WithConsume;
    this.redis.defineCommand('ficusRateConsume', { numberOfKeys: 1, lua: consumeScript });
    this.redis.on('error', (err) => this.unavailable(err));
    this.redis.on('ready', () => this.recovered());
  }

  /** Resolves when connected, or after `withinMs` whether or not it is (operations are let through until then). */
  async connect(withinMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)));
    await Promise.race([this.redis.connect().catch((err: Error) => this.unavailable(err)), waited]);
    clearTimeout(timer);
  }

  async consume(key: string, rawCost: number): Promise<RateDecision> {
    const cost = wholeCost(rawCost);
    const { budgets, keyPrefix } = this.options;
    const decision = neverFits(cost, budgets) ?? (await this.ask(keyPrefix + key, cost, budgets));
    if (decision.allowed) this.options.observe?.(decision.checked ? 'allowed' : 'unavailable');
    else this.options.observe?.('refused', decision.budget);
    return decision;
  }

  async close(): Promise<void> {
    // Unsent or unanswered calls are dropped: nothing waits on them but operations already let through.
    this.redis.disconnect();
  }

  private async ask(key: string, cost: number, budgets: RateBudgets): Promise<RateDecision> {
    try {
      const reply = await this.redis.ficusRateConsume(
        key,
        budgets.windowMs * 1000,
        refillStepUs(budgets.windowMs, budgets.requests),
        refillStepUs(budgets.windowMs, budgets.cost),
        cost,
      );
      this.recovered();
      if (reply[0] === 1) return { allowed: true, checked: true };
      return refused(reply[1] === 1 ? 'requests' : 'cost', reply[2] / 1e6, budgets);
    } catch (err) {
      this.unavailable(err as Error);
      return { allowed: true, checked: false };
    }
  }

  private recovered(): void {
    if (this.degraded) this.options.logger.info({}, 'rate limit store reachable again: budgets are enforced');
    this.degraded = false;
  }

  private unavailable(err: Error): void {
    if (this.degraded) return;
    this.degraded = true;
    this.options.logger.warn({ err }, 'rate limit store unreachable: operations are let through unchecked until it answers');
  }
}
