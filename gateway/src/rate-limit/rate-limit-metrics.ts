import { Counter, Registry } from 'prom-client';
import type { RateDecisionObserver } from './rate-limiter';

/**
 * `ficus_gateway_rate_limit_decisions_total{outcome, budget}`: operations let through, refused
 * (by the budget that ran out), or let through unchecked because the shared store did not answer.
 */
export function rateDecisionCounter(registry: Registry): RateDecisionObserver {
  const decisions = new Counter({
    name: 'ficus_gateway_rate_limit_decisions_total',
    help: 'Rate limit decisions by outcome: allowed, refused (by budget: requests or cost), unavailable (the shared store did not answer; let through).',
    labelNames: ['outcome', 'budget'],
    registers: [registry],
  });
  return (outcome, budget) => decisions.inc({ outcome, budget: budget ?? '' });
}
