import { BucketState, neverFits, spend, wholeCost } from './budget-arithmetic';
import type { RateBudgets, RateDecision, RateDecisionObserver, RateLimiter } from './rate-limiter';

export interface MemoryRateLimiterOptions {
  budgets: RateBudgets;
  /** Clients tracked at most; beyond, the one least recently let through is forgotten (it gets a full budget). */
  maxClients?: number;
  observe?: RateDecisionObserver;
  /** µs since the epoch. */
  now?: () => number;
}

interface Entry {
  state: BucketState;
  fullAt: number;
}

/**
 * Budgets in this process's memory, for a gateway that runs alone (no REDIS_URL). Same
 * arithmetic as the Redis limiter. Entries are kept in the order they were last spent from:
 * one untouched for a whole window is full again, so those at the front are dropped as they
 * go stale, and memory is bounded by `maxClients` whatever the number of addresses seen.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly entries = new Map<string, Entry>();
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(private readonly options: MemoryRateLimiterOptions) {
    this.maxClients = options.maxClients ?? 100_000;
    this.now = options.now ?? (() => Date.now() * 1000);
  }

  get size(): number {
    return this.entries.size;
  }

  async consume(key: string, rawCost: number): Promise<RateDecision> {
    const cost = wholeCost(rawCost);
    const decision = neverFits(cost, this.options.budgets) ?? this.spend(key, cost);
    this.options.observe?.(decision.allowed ? 'allowed' : 'refused', decision.allowed ? undefined : decision.budget);
    return decision;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private spend(key: string, cost: number): RateDecision {
    const now = this.now();
    this.evictFull(now);
    const { decision, next } = spend(this.entries.get(key)?.state, now, cost, this.options.budgets);
    if (next) {
      // Re-inserted so the map stays in order of last spend.
      this.entries.delete(key);
      if (this.entries.size >= this.maxClients) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, next);
    }
    return decision;
  }

  private evictFull(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.fullAt > now) return;
      this.entries.delete(key);
    }
  }
}
