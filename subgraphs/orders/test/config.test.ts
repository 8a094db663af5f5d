import { ConfigError } from '@ficus/kit';
import { readOrdersConfig } from '../src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readOrdersConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('orders configuration', () => {
  it('defaults to port 4004, a 30 second payment timeout and a sweep every second', () => {
    expect(readOrdersConfig({})).toMatchObject({ serviceName: 'orders', port: 4004, paymentTimeoutMs: 30_000, sagaSweepIntervalMs: 1_000 });
  });

  it('reads the payment timeout and the sweep interval from the environment', () => {
    const config = readOrdersConfig({ PAYMENT_TIMEOUT_MS: '200', SAGA_SWEEP_INTERVAL_MS: '50' });
    expect(config).toMatchObject({ paymentTimeoutMs: 200, sagaSweepIntervalMs: 50 });
  });

  it('reports every bad variable at once, shared and its own', () => {
    expect(problemsOf({ PORT: 'eighty', PAYMENT_TIMEOUT_MS: '-5', SAGA_SWEEP_INTERVAL_MS: 'soon' })).toEqual([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^PAYMENT_TIMEOUT_MS: /),
      expect.stringMatching(/^SAGA_SWEEP_INTERVAL_MS: /),
    ]);
  });
});
