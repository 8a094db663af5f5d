import { ConfigError } from '@ficus/kit';
import { readUsersConfig } from '../src/config';

const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeButWellFormedForTheConfigCheck0000000\n-----END PRIVATE KEY-----';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readUsersConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('users configuration', () => {
  it('defaults to port 4001, one-hour tokens and no configured key', () => {
    const config = readUsersConfig({});
    expect(config).toMatchObject({ serviceName: 'users', port: 4001, tokenTtlSeconds: 3600, jwtPrivateKey: null });
  });

  it('takes a PEM whose newlines are written as \\n, as environment files hold it', () => {
    const config = readUsersConfig({ JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n'), TOKEN_TTL_SECONDS: '900' });
    expect(config.jwtPrivateKey).toBe(pem);
    expect(config.tokenTtlSeconds).toBe(900);
  });

  it('reports every bad variable at once, a missing key in production among them', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'eighty', TOKEN_TTL_SECONDS: '-5' });
    expect(problems).toEqual([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^TOKEN_TTL_SECONDS: /),
      expect.stringMatching(/^JWT_PRIVATE_KEY: required in production/),
    ]);
  });

  it('rejects a key that is not a PKCS#8 PEM block', () => {
    expect(problemsOf({ JWT_PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----' })).toEqual([
      'JWT_PRIVATE_KEY: must be a PEM "BEGIN PRIVATE KEY" block (PKCS#8)',
    ]);
  });
});

describe('sign-in limits', () => {
  it('tolerate 10 failures per account and 100 per client address in 15 minutes by default', () => {
    expect(readUsersConfig({}).signInLimits).toEqual({ windowMs: 900_000, maxFailuresPerAccount: 10, maxFailuresPerClient: 100 });
  });

  it('are read from SIGN_IN_WINDOW_MS, SIGN_IN_MAX_FAILURES_PER_ACCOUNT and SIGN_IN_MAX_FAILURES_PER_CLIENT, each checked', () => {
    const limits = { SIGN_IN_WINDOW_MS: '60000', SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '5', SIGN_IN_MAX_FAILURES_PER_CLIENT: '50' };
    expect(readUsersConfig(limits).signInLimits).toEqual({ windowMs: 60_000, maxFailuresPerAccount: 5, maxFailuresPerClient: 50 });
    expect(problemsOf({ SIGN_IN_WINDOW_MS: '0', SIGN_IN_MAX_FAILURES_PER_ACCOUNT: 'ten', SIGN_IN_MAX_FAILURES_PER_CLIENT: '-1' })).toEqual([
      expect.stringMatching(/^SIGN_IN_WINDOW_MS: /),
      expect.stringMatching(/^SIGN_IN_MAX_FAILURES_PER_ACCOUNT: /),
      expect.stringMatching(/^SIGN_IN_MAX_FAILURES_PER_CLIENT: /),
    ]);
  });
});

describe('the development admin', () => {
  it('is configured by DEV_ADMIN_EMAIL and DEV_ADMIN_PASSWORD together', () => {
    expect(readUsersConfig({ DEV_ADMIN_EMAIL: 'admin@example.com', DEV_ADMIN_PASSWORD: 'admin' }).devAdmin).toEqual({
      email: 'admin@example.com',
      password: 'admin',
    });
    expect(readUsersConfig({}).devAdmin).toBeNull();
    expect(problemsOf({ DEV_ADMIN_EMAIL: 'admin@example.com' })).toEqual(['DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD: set both or neither']);
  });

  it('is refused in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', JWT_PRIVATE_KEY: pem, DEV_ADMIN_EMAIL: 'a@example.com', DEV_ADMIN_PASSWORD: 'x' });
    expect(problems).toEqual(['DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD: a development admin is never created in production']);
  });
});
