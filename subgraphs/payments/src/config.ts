import { collectConfigProblems, ConfigError, parseEnv, readSubgraphConfig, SubgraphConfig } from '@ficus/kit';
import { z } from 'zod';

export const paymentProviders = ['test'] as const;
export type PaymentProviderName = (typeof paymentProviders)[number];

export interface PaymentsConfig extends SubgraphConfig {
  /**
   * Who charges cards (`PAYMENT_PROVIDER`, default `test`). `test` is the only one so
   * far: it takes test tokens and moves no money, so production refuses to start with it.
   */
  paymentProvider: PaymentProviderName;
}

const paymentsEnv = {
  PAYMENT_PROVIDER: z.enum(paymentProviders).default('test'),
};

/** The shared subgraph variables plus the payments service's own, every problem reported at once. */
export function readPaymentsConfig(processEnv: NodeJS.ProcessEnv = process.env): PaymentsConfig {
  const problems: string[] = [];
  const shared = collectConfigProblems(problems, () => readSubgraphConfig('payments', 4005, processEnv));
  const own = collectConfigProblems(problems, () => parseEnv(paymentsEnv, processEnv));
  // Read from the raw environment, so this is reported even when another shared variable is bad.
  if (processEnv.NODE_ENV === 'production' && own?.PAYMENT_PROVIDER === 'test') {
    problems.push('PAYMENT_PROVIDER: the test provider (the default) moves no money and may not be used in production');
  }
  if (!shared || !own || problems.length > 0) throw new ConfigError(problems);
  return { ...shared, paymentProvider: own.PAYMENT_PROVIDER };
}
