import { collectConfigProblems, ConfigError, parseEnv, readSubgraphConfig, SubgraphConfig } from '@ficus/kit';
import { z } from 'zod';

export interface OrdersConfig extends SubgraphConfig {
  /** How long after stock is reserved an order waits for its payment before it is cancelled (PAYMENT_TIMEOUT). */
  paymentTimeoutMs: number;
  /** How often overdue payments are looked for. */
  sagaSweepIntervalMs: number;
}

const ordersEnv = {
  PAYMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  SAGA_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(1_000),
};

/** The shared subgraph variables plus the orders service's own, every problem reported at once. */
export function readOrdersConfig(processEnv: NodeJS.ProcessEnv = process.env): OrdersConfig {
  const problems: string[] = [];
  const shared = collectConfigProblems(problems, () => readSubgraphConfig('orders', 4004, processEnv));
  const own = collectConfigProblems(problems, () => parseEnv(ordersEnv, processEnv));
  if (!shared || !own) throw new ConfigError(problems);
  return { ...shared, paymentTimeoutMs: own.PAYMENT_TIMEOUT_MS, sagaSweepIntervalMs: own.SAGA_SWEEP_INTERVAL_MS };
}
