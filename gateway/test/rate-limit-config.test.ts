import { ConfigError } from '@ficus/kit';
import { readRateLimitConfig } from '../src/rate-limit';

describe('rate limit configuration', () => {
  it('limits each client in memory by default, trusting no proxy', () => {
    expect(readRateLimitConfig({})).toEqual({
      enabled: true,
      budgets: { windowMs: 60_000, requests: 1_200, cost: 200_000 },
      redis: null,
      trustedProxies: [],
    });
  });

  it('shares budgets through Redis when REDIS_URL is set', () => {
    const config = readRateLimitConfig({
      REDIS_URL: 'redis://cache:6379/2',
      REDIS_KEY_PREFIX: 'shop:',
      REDIS_COMMAND_TIMEOUT_MS: '50',
      RATE_LIMIT_WINDOW_MS: '10000',
      RATE_LIMIT_REQUESTS: '100',
      RATE_LIMIT_COST: '5000',
      TRUSTED_PROXIES: ' 10.0.0.0/8, loopback ,2001:db8::1',
    });
    expect(config).toEqual({
      enabled: true,
      budgets: { windowMs: 10_000, requests: 100, cost: 5_000 },
      redis: { url: 'redis://cache:6379/2', keyPrefix: 'shop:', commandTimeoutMs: 50 },
      trustedProxies: ['10.0.0.0/8', 'loopback', '2001:db8::1'],
    });
  });

  it('turns limits off with RATE_LIMIT=off', () => {
    expect(readRateLimitConfig({ RATE_LIMIT: 'off' }).enabled).toBe(false);
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      readRateLimitConfig({
        RATE_LIMIT: 'maybe',
        RATE_LIMIT_WINDOW_MS: '10',
        RATE_LIMIT_REQUESTS: '0',
        RATE_LIMIT_COST: 'lots',
        REDIS_URL: 'http://cache:6379',
        TRUSTED_PROXIES: '10.0.0.0/40,proxy.local',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'RATE_LIMIT',
      'RATE_LIMIT_COST',
      'RATE_LIMIT_REQUESTS',
      'RATE_LIMIT_WINDOW_MS',
      'REDIS_URL',
      'TRUSTED_PROXIES',
    ]);
  });
});
