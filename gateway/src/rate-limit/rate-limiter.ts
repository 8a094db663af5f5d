/** What each client may spend per window. */
export interface RateBudgets {
  windowMs: number;
  /** Operations per window. */
  requests: number;
  /** Summed estimated cost per window. */
  cost: number;
}

export type RateBudget = 'requests' | 'cost';

export type RateDecision =
  | {
      allowed: true;
      /** False when the shared store could not be asked in time and the operation was let through (fail open). */
      checked: boolean;
    }
  | {
      allowed: false;
      /** The budget that ran out (the one that frees up last, when both did). */
      budget: RateBudget;
      /** Whole seconds until the same operation fits again; at least 1. The `Retry-After` header. */
      retryAfterSeconds: number;
      message: string;
    };

/**
 * A budget of operations and of estimated cost per client and window. A refused operation
 * consumes nothing; an allowed one consumes from both budgets at once.
 */
export interface RateLimiter {
  consume(key: string, cost: number): Promise<RateDecision>;
  close(): Promise<void>;
}

/** Told of every decision, for metrics. */
export type RateDecisionObserver = (outcome: 'allowed' | 'refused' | 'unavailable', budget?: RateBudget) => void;

/** Apollo Router's code for a request refused by a rate limit. */
export const rateLimitedCode = 'REQUEST_RATE_LIMITED';
