import { randomBytes } from 'node:crypto';
import { createLogger } from '@ficus/kit';
import { waitFor } from '@ficus/testkit';
import Redis from 'ioredis';
import { MemoryRateLimiter, RateBudgets, RateLimiter } from '../src/rate-limit';
import { RedisRateLimiter } from '../src/rate-limit/redis-rate-limiter';

const redisUrl = 'redis://127.0.0.1:6379';
const logger = createLogger('gateway-test', 'silent');

/** Each limiter its own key prefix, deleted after the test. */
const prefixes: string[] = [];
const limiters: RateLimiter[] = [];

async function redisLimiter(budgets: RateBudgets, prefix = newPrefix()): Promise<RedisRateLimiter> {
  const limiter = new RedisRateLimiter({ url: redisUrl, keyPrefix: prefix, budgets, commandTimeoutMs: 1_000, logger });
  await limiter.connect(5_000);
  limiters.push(limiter);
  return limiter;
}

function newPrefix(): string {
  const prefix = `ficus-test:rate:${randomBytes(6).toString('hex')}:`;
  prefixes.push(prefix);
  return prefix;
}

afterEach(async () => {
  await Promise.all(limiters.splice(0).map((limiter) => limiter.close()));
  const redis = new Redis(redisUrl);
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

const stores: [string, (budgets: RateBudgets) => Promise<RateLimiter>][] = [
  ['redis', redisLimiter],
  ['memory', async (budgets) => new MemoryRateLimiter({ budgets })],
];

describe.each(stores)('rate budgets in %s', (_store, limiterWith) => {
  it('lets a client spend its request budget in a burst and refuses the next with a Retry-After', async () => {
    const limiter = await limiterWith({ windowMs: 60_000, requests: 3, cost: 1_000 });
    for (let i = 0; i < 3; i++) expect(await limiter.consume('ip:1.1.1.1', 1)).toEqual({ allowed: true, checked: true });
    const refused = await limiter.consume('ip:1.1.1.1', 1);
    // One request refills every 60 s / 3 = 20 s.
    expect(refused).toEqual({ allowed: false, budget: 'requests', retryAfterSeconds: 20, message: expect.stringMatching(/request budget \(3 operations per 60 s\) is used up; retry after 20 s/) });
  });

  it('keeps each client its own budget', async () => {
    const limiter = await limiterWith({ windowMs: 60_000, requests: 1, cost: 1_000 });
    expect((await limiter.consume('user:a', 1)).allowed).toBe(true);
    expect((await limiter.consume('user:a', 1)).allowed).toBe(false);
    expect((await limiter.consume('user:b', 1)).allowed).toBe(true);
  });

  it('refuses on the cost budget, saying so, with the wait for enough cost to refill', async () => {
    const limiter = await limiterWith({ windowMs: 60_000, requests: 100, cost: 100 });
    expect((await limiter.consume('ip:2.2.2.2', 90)).allowed).toBe(true);
    const refused = await limiter.consume('ip:2.2.2.2', 30);
    // 20 units over: 20 × 600 ms = 12 s.
    expect(refused).toEqual({ allowed: false, budget: 'cost', retryAfterSeconds: 12, message: expect.stringMatching(/cost budget \(a total estimated cost of 100 per 60 s\) is used up; retry after 12 s/) });
    expect((await limiter.consume('ip:2.2.2.2', 10)).allowed).toBe(true);
  });

  it('consumes nothing from either budget for a refused operation', async () => {
    const limiter = await limiterWith({ windowMs: 60_000, requests: 2, cost: 100 });
    expect((await limiter.consume('ip:3.3.3.3', 60)).allowed).toBe(true);
    for (let i = 0; i < 5; i++) expect(await limiter.consume('ip:3.3.3.3', 60)).toMatchObject({ allowed: false, budget: 'cost' });
    // Neither the five refused requests nor their cost were counted: one request and 40 units are left.
    expect((await limiter.consume('ip:3.3.3.3', 40)).allowed).toBe(true);
    expect(await limiter.consume('ip:3.3.3.3', 0)).toMatchObject({ allowed: false, budget: 'requests' });
  });

  it('reports the budget that frees up last when both ran out', async () => {
    const limiter = await limiterWith({ windowMs: 60_000, requests: 1, cost: 10 });
    expect((await limiter.consume('ip:4.4.4.4', 10)).allowed).toBe(true);
    // Requests: 60 s to refill one. Cost: 8 units over, 48 s.
    expect(await limiter.consume('ip:4.4.4.4', 8)).toMatchObject({ allowed: false, budget: 'requests', retryAfterSeconds: 60 });
  });

  it('refuses an operation costing more than the whole cost budget without spending anything', async () => {
    const limiter = await limiterWith({ windowMs: 30_000, requests: 5, cost: 100 });
    expect(await limiter.consume('ip:5.5.5.5', 101)).toMatchObject({
      allowed: false,
      budget: 'cost',
      retryAfterSeconds: 30,
      message: expect.stringMatching(/estimated cost \(101\) is more than the whole cost budget of 100 per 30 s/),
    });
    expect((await limiter.consume('ip:5.5.5.5', 100)).allowed).toBe(true);
  });

  it('counts a fractional cost as a whole unit and refuses a cost that is not a number', async () => {
    const limiter = await limiterWith({ windowMs: 60_000, requests: 10, cost: 2 });
    expect((await limiter.consume('ip:6.6.6.6', 0.5)).allowed).toBe(true);
    expect((await limiter.consume('ip:6.6.6.6', 0.5)).allowed).toBe(true);
    expect((await limiter.consume('ip:6.6.6.6', 0.5)).allowed).toBe(false);
    await expect(limiter.consume('ip:6.6.6.6', NaN)).rejects.toThrow(RangeError);
    await expect(limiter.consume('ip:6.6.6.6', -1)).rejects.toThrow(RangeError);
  });

  it('refills the budget as the window passes', async () => {
    const limiter = await limiterWith({ windowMs: 1_000, requests: 2, cost: 100 });
    expect((await limiter.consume('ip:7.7.7.7', 1)).allowed).toBe(true);
    expect((await limiter.consume('ip:7.7.7.7', 1)).allowed).toBe(true);
    const refusedAt = Date.now();
    expect(await limiter.consume('ip:7.7.7.7', 1)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    await waitFor(async () => (await limiter.consume('ip:7.7.7.7', 1)).allowed, { timeoutMs: 5_000, intervalMs: 20, what: 'a refilled request' });
    // One request refills every 500 ms; a little less may have passed since the refusal, never much more.
    expect(Date.now() - refusedAt).toBeLessThan(1_500);
  });
});
