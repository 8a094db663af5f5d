import { MemoryRateLimiter } from '../src/rate-limit';

describe('rate budgets in memory', () => {
  const budgets = { windowMs: 1_000, requests: 2, cost: 10 };

  it('forgets clients whose budgets are full again, so memory follows the clients of the last window', async () => {
    let nowUs = 1_000_000_000;
    const limiter = new MemoryRateLimiter({ budgets, now: () => nowUs });
    for (let i = 0; i < 1_000; i++) await limiter.consume(`ip:10.0.${i >> 8}.${i & 255}`, 1);
    expect(limiter.size).toBe(1_000);
    nowUs += 1_000_000;
    await limiter.consume('ip:192.0.2.1', 1);
    expect(limiter.size).toBe(1);
  });

  it('holds at most maxClients, forgetting the one least recently let through', async () => {
    const limiter = new MemoryRateLimiter({ budgets, maxClients: 100, now: () => 1_000_000_000 });
    await limiter.consume('ip:192.0.2.1', 1);
    await limiter.consume('ip:192.0.2.1', 1);
    expect((await limiter.consume('ip:192.0.2.1', 1)).allowed).toBe(false);
    for (let i = 0; i < 10_000; i++) await limiter.consume(`ip:2001:db8:${i.toString(16)}::/64`, 1);
    expect(limiter.size).toBe(100);
    // Pushed out by the flood, it starts again from a full budget: memory is bounded at the price of some leniency.
    expect((await limiter.consume('ip:192.0.2.1', 1)).allowed).toBe(true);
  });

  it('counts every decision for metrics', async () => {
    const outcomes: string[] = [];
    const limiter = new MemoryRateLimiter({ budgets, observe: (outcome, budget) => outcomes.push(budget ? `${outcome}:${budget}` : outcome) });
    for (let i = 0; i < 3; i++) await limiter.consume('user:u', 1);
    await limiter.consume('user:v', 11);
    expect(outcomes).toEqual(['allowed', 'allowed', 'refused:requests', 'refused:cost']);
  });
});
