import { ConfigError } from '@ficus/kit';
import { readPaymentsConfig } from '../src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readPaymentsConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('payments configuration', () => {
  it('defaults to port 4005 and the test provider', () => {
    expect(readPaymentsConfig({})).toMatchObject({ serviceName: 'payments', port: 4005, paymentProvider: 'test' });
  });

  it('takes PAYMENT_PROVIDER=test outside production', () => {
    expect(readPaymentsConfig({ PAYMENT_PROVIDER: 'test', NODE_ENV: 'test' }).paymentProvider).toBe('test');
  });

  it('refuses a provider it does not know, naming PAYMENT_PROVIDER', () => {
    expect(problemsOf({ PAYMENT_PROVIDER: 'stripe' })).toEqual([expect.stringMatching(/^PAYMENT_PROVIDER: /)]);
  });

  it('refuses to run the test provider in production, whether chosen or by default', () => {
    for (const env of [{ NODE_ENV: 'production' }, { NODE_ENV: 'production', PAYMENT_PROVIDER: 'test' }]) {
      expect(problemsOf(env)).toEqual([expect.stringMatching(/^PAYMENT_PROVIDER: the test provider .* may not be used in production$/)]);
    }
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'abc' });

    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/PAYMENT_PROVIDER/);
  });
});
