import { SubgraphHandle } from '@ficus/kit';
import { graphql, GraphQLResponse, waitFor } from '@ficus/testkit';
import { build } from '../src/build';
import { startUsers, UsersHarness } from './users-harness';

const SIGN_UP = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) { signUp(input: $input) { user { id } } }
`;
const SIGN_IN = /* GraphQL */ `
  mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }
`;
const password = 'the right one';
const windowMs = 5_000;
const throttled = 'too many failed sign-in attempts: try again later';
const invalid = 'invalid email or password';

describe.each(['sqlite', 'postgres'] as const)('sign-in throttling on %s', (kind) => {
  let users: UsersHarness;
  let subgraph: SubgraphHandle;

  beforeAll(async () => {
    users = await startUsers(kind, 'users_throttle', {
      SIGN_IN_WINDOW_MS: String(windowMs),
      SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3',
      SIGN_IN_MAX_FAILURES_PER_CLIENT: '5',
    });
    subgraph = users.subgraph;
  });

  afterAll(async () => {
    await users?.stop();
  });

  const fromAddress = (address: string | undefined): Record<string, string> => (address ? { 'x-ficus-client-ip': address } : {});
  const signIn = (email: string, secret: string, address?: string, handle = subgraph) =>
    graphql(handle.url, SIGN_IN, { email, password: secret }, fromAddress(address));
  const register = async (email: string) => {
    const res = await graphql(subgraph.url, SIGN_UP, { input: { email, name: 'Someone', password } });
    expect(res.errors).toBeUndefined();
  };
  const messageOf = (res: GraphQLResponse) => res.errors?.[0]?.message;
  const failThrice = async (email: string, address?: string) => {
    for (let i = 0; i < 3; i++) expect(messageOf(await signIn(email, 'wrong', address))).toBe(invalid);
  };
  /** SQL statements on the users table while `run` runs: a password is checked only after the account is read. */
  const usersQueriesDuring = async (run: () => Promise<unknown>) => {
    const queries: string[] = [];
    const unsubscribe = subgraph.queryLog.subscribe((sql) => queries.push(sql));
    try {
      await run();
    } finally {
      unsubscribe();
    }
    return queries.filter((sql) => /[`"]users[`"]/.test(sql)).length;
  };

  it('refuses the right password once an account has failed three times, checking no password', async () => {
    await register(`locked-${kind}@example.com`);
    await failThrice(`locked-${kind}@example.com`);
    let refused!: GraphQLResponse;
    expect(await usersQueriesDuring(async () => (refused = await signIn(` LOCKED-${kind}@example.com`, password)))).toBe(0);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors).toEqual([
      expect.objectContaining({ message: throttled, extensions: { code: 'UNAUTHENTICATED', retryAfterSeconds: expect.any(Number) } }),
    ]);
    const retryAfter = refused.errors![0]!.extensions!.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000);
  });

  it('answers a locked unknown email exactly as a locked account', async () => {
    await register(`exists-${kind}@example.com`);
    await failThrice(`exists-${kind}@example.com`);
    await failThrice(`nobody-${kind}@example.com`);
    let existing!: GraphQLResponse;
    let unknown!: GraphQLResponse;
    // Neither reads the account: the same path, in the same time, whether it exists or not.
    expect(await usersQueriesDuring(async () => (existing = await signIn(`exists-${kind}@example.com`, password)))).toBe(0);
    expect(await usersQueriesDuring(async () => (unknown = await signIn(`nobody-${kind}@example.com`, password)))).toBe(0);
    const shape = (res: GraphQLResponse) => ({
      status: res.status,
      data: res.data,
      errors: res.errors?.map(({ extensions, ...error }) => ({ ...error, extensions: { ...extensions, retryAfterSeconds: 'n' } })),
    });
    expect(shape(unknown)).toEqual(shape(existing));
    expect(messageOf(existing)).toBe(throttled);
  });

  it('lets the account in again once the window has passed, and a success clears its failures', async () => {
    const email = `comes-back-${kind}@example.com`;
    await register(email);
    await failThrice(email);
    expect(messageOf(await signIn(email, password))).toBe(throttled);
    // Refused attempts while locked do not lengthen the lock.
    await waitFor(async () => (await signIn(email, password)).data?.signIn.token, { timeoutMs: windowMs + 10_000, intervalMs: 250, what: 'the lock to end' });
    for (let i = 0; i < 2; i++) expect(messageOf(await signIn(email, 'wrong'))).toBe(invalid);
    expect((await signIn(email, password)).data?.signIn.token).toEqual(expect.any(String));
  });

  it('counts failures per client address across accounts, never successes', async () => {
    await register(`regular-${kind}@example.com`);
    for (let i = 0; i < 8; i++) expect((await signIn(`regular-${kind}@example.com`, password, '198.51.100.7')).data?.signIn.token).toBeTruthy();
    for (let i = 0; i < 5; i++) expect(messageOf(await signIn(`spray-${i}-${kind}@example.com`, 'guess', '198.51.100.7'))).toBe(invalid);
    // The sixth failure would be over the client's budget: even the right password of an unlocked account is refused.
    expect(messageOf(await signIn(`regular-${kind}@example.com`, password, '198.51.100.7'))).toBe(throttled);
    expect((await signIn(`regular-${kind}@example.com`, password, '198.51.100.8')).data?.signIn.token).toBeTruthy();
  });

  it('checks at most three passwords for 50 concurrent wrong attempts on one account', async () => {
    const email = `burst-${kind}@example.com`;
    await register(email);
    const answers = await Promise.all(Array.from({ length: 50 }, () => signIn(email, 'wrong')));
    const messages = answers.map(messageOf);
    expect(messages.filter((message) => message === invalid).length).toBeLessThanOrEqual(3);
    expect(messages.filter((message) => message === throttled).length).toBeGreaterThanOrEqual(47);
  });

  it('checks at most five passwords for 50 concurrent attempts on different accounts from one address', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => signIn(`many-${i}-${kind}@example.com`, 'wrong', '203.0.113.50')));
    const messages = answers.map(messageOf);
    expect(messages.filter((message) => message === invalid).length).toBeLessThanOrEqual(5);
    expect(messages.filter((message) => message === throttled).length).toBeGreaterThanOrEqual(45);
  });

  it('issues no token for 50 aliased signIn fields with the right password on a locked account', async () => {
    const email = `aliased-${kind}@example.com`;
    await register(email);
    await failThrice(email);
    const fields = Array.from({ length: 50 }, (_, i) => `a${i}: signIn(email: $email, password: $password) { token }`).join('\n');
    let res!: GraphQLResponse;
    const checks = await usersQueriesDuring(async () => {
      res = await graphql(subgraph.url, `mutation($email: String!, $password: String!) { ${fields} }`, { email, password });
    });
    expect(checks).toBe(0);
    expect(res.data ?? null).toBeNull();
    expect(res.errors!.map((error) => error.message)).toEqual([throttled]);
  });

  it('shares the counts between users processes on one database, and keeps them across a restart', async () => {
    const email = `shared-${kind}@example.com`;
    await register(email);
    const second = await build(users.config);
    try {
      expect(messageOf(await signIn(email, 'wrong', undefined, second))).toBe(invalid);
      expect(messageOf(await signIn(email, 'wrong'))).toBe(invalid);
      expect(messageOf(await signIn(email, 'wrong', undefined, second))).toBe(invalid);
    } finally {
      await second.stop();
    }
    const restarted = await build(users.config);
    try {
      expect(messageOf(await signIn(email, password, undefined, restarted))).toBe(throttled);
    } finally {
      await restarted.stop();
    }
  });

  it('prunes attempts that no window counts any more', async () => {
    await failThrice(`pruned-${kind}@example.com`);
    const rowsAtOrBefore = async (time: number) => {
      const rows = await subgraph.orm.em
        .fork()
        .getConnection()
        .execute<{ stale: number | string }[]>('select count(*) as stale from sign_in_attempts where attempted_at <= ?', [time]);
      return Number(rows[0]!.stale);
    };
    await waitFor(async () => (await rowsAtOrBefore(Date.now() - windowMs)) > 0, { timeoutMs: windowMs + 10_000, intervalMs: 250, what: 'the failures to age out' });
    // The rows stale now; the pruner's own attempts are all newer, so they never count here.
    const agedOut = Date.now() - windowMs;
    // The next attempt prunes (at most once per window per process).
    await waitFor(async () => {
      await signIn(`pruner-${kind}@example.com`, 'wrong', '192.0.2.99');
      return (await rowsAtOrBefore(agedOut)) === 0;
    }, { timeoutMs: windowMs + 10_000, intervalMs: 250, what: 'stale attempts to be pruned' });
  });
});
