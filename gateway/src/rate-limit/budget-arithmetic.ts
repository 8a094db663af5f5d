import type { RateBudget, RateBudgets, RateDecision } from './rate-limiter';

/**
 * The generic cell rate algorithm (GCRA), a token bucket kept as one time per budget: the
 * "theoretical arrival time" (TAT) at which the budget would be full again. Each budget holds
 * up to its whole amount at once and refills evenly over the window, so a client may spend a
 * window's budget in a burst and then its budget per window, with no reset at a window edge
 * to burst twice across. The state is one number per budget, so the same arithmetic runs in
 * the Redis script (consume-script.ts) and in memory. Times are whole microseconds, so every
 * step is exact in a double (and in Lua's numbers) and a budget of N lets exactly N through.
 */
export interface BucketState {
  /** TAT of the request budget, µs since the epoch. */
  requests: number;
  /** TAT of the cost budget, µs since the epoch. */
  cost: number;
}

export interface Spend {
  decision: RateDecision;
  /** The state after an allowed spend, and when it is back to full (µs): it can be forgotten then. */
  next?: { state: BucketState; fullAt: number };
}

/** µs each unit of a budget takes to refill; never 0, so an absurd budget still counts. */
export const refillStepUs = (windowMs: number, amount: number) => Math.max(1, Math.floor((windowMs * 1000) / amount));

export function spend(state: BucketState | undefined, nowUs: number, cost: number, budgets: RateBudgets): Spend {
  const windowUs = budgets.windowMs * 1000;
  const requests = Math.max(state?.requests ?? 0, nowUs) + refillStepUs(budgets.windowMs, budgets.requests);
  const costTat = Math.max(state?.cost ?? 0, nowUs) + cost * refillStepUs(budgets.windowMs, budgets.cost);
  const requestWait = requests - windowUs - nowUs;
  const costWait = costTat - windowUs - nowUs;
  if (requestWait > 0 || costWait > 0) {
    return { decision: refused(requestWait >= costWait ? 'requests' : 'cost', Math.max(requestWait, costWait) / 1e6, budgets) };
  }
  return {
    decision: { allowed: true, checked: true },
    next: { state: { requests, cost: costTat }, fullAt: Math.max(requests, costTat) },
  };
}

/** Costs are whole numbers of budget units; a fraction counts as a whole one. */
export function wholeCost(cost: number): number {
  if (!Number.isFinite(cost) || cost < 0) throw new RangeError(`a rate-limited cost must be a finite number >= 0, not ${cost}`);
  return Math.ceil(cost);
}

/** An operation that costs more than the whole cost budget can never be let through; refused without asking the store. */
export function neverFits(cost: number, budgets: RateBudgets): RateDecision | null {
  if (cost <= budgets.cost) return null;
  return {
    allowed: false,
    budget: 'cost',
    retryAfterSeconds: Math.ceil(budgets.windowMs / 1000),
    message: `rate limit: this operation's estimated cost (${cost}) is more than the whole cost budget of ${budgets.cost} per ${seconds(budgets.windowMs)} s`,
  };
}

export function refused(budget: RateBudget, waitSeconds: number, budgets: RateBudgets): RateDecision {
  const retryAfterSeconds = Math.max(1, Math.ceil(waitSeconds));
  const allowance = budget === 'requests' ? `${budgets.requests} operations` : `a total estimated cost of ${budgets.cost}`;
  return {
    allowed: false,
    budget,
    retryAfterSeconds,
    message: `rate limit: this client's ${budget === 'requests' ? 'request' : 'cost'} budget (${allowance} per ${seconds(budgets.windowMs)} s) is used up; retry after ${retryAfterSeconds} s`,
  };
}

const seconds = (ms: number) => Number((ms / 1000).toFixed(3));
