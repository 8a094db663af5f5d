import fs from 'node:fs';
import path from 'node:path';
import { newEventId } from '@ficus/events';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { identityToHeaders, OutboxEvent, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, errorCodes, graphql, waitFor } from '@ficus/testkit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { jetstreamManager } from '@nats-io/jetstream';
import { build } from '../src/build';
import { ensureAdmin } from '../src/domain/ensure-admin';
import { User } from '../src/domain/user';
import { startUsers, UsersHarness } from './users-harness';

const SIGN_UP = /* GraphQL */ `
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { token user { id email name } }
  }
`;
const SIGN_IN = /* GraphQL */ `
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) { token user { id email } }
  }
`;
const ME = /* GraphQL */ `query { me { id email name } }`;
const USER = /* GraphQL */ `query User($id: ID!) { user(id: $id) { id email name } }`;
const ENTITIES = /* GraphQL */ `
  query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id name } } }
`;

describe.each(['sqlite', 'postgres'] as const)('users subgraph on %s', (kind) => {
  let users: UsersHarness;
  let subgraph: SubgraphHandle;

  beforeAll(async () => {
    users = await startUsers(kind, 'users', { DEV_ADMIN_EMAIL: 'root@example.com', DEV_ADMIN_PASSWORD: 'admin' });
    subgraph = users.subgraph;
  });

  afterAll(async () => {
    await users?.stop();
  });

  const baseUrl = (handle: SubgraphHandle) => handle.url.replace('/graphql', '');
  const signUp = (input: Record<string, unknown>) => graphql(subgraph.url, SIGN_UP, { input });
  const signIn = (email: string, password: string) => graphql(subgraph.url, SIGN_IN, { email, password });
  const verify = (token: string, handle = subgraph) =>
    jwtVerify(token, createRemoteJWKSet(new URL(`${baseUrl(handle)}/.well-known/jwks.json`)), {
      issuer: 'ficus-users',
      audience: 'ficus',
    });
  const kidOf = async (handle: SubgraphHandle) => {
    const jwks = (await (await fetch(`${baseUrl(handle)}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    return jwks.keys[0]!.kid;
  };
  const asUser = (user: { id: string; email: string }, roles = ['customer']) =>
    identityToHeaders({ userId: user.id, email: user.email, roles });
  const register = async (email: string) => {
    const res = await signUp({ email, name: 'Someone', password: 'long enough' });
    expect(res.errors).toBeUndefined();
    return res.data.signUp.user as { id: string; email: string };
  };

  it('signs up a customer with a token that verifies against the served JWKS', async () => {
    const res = await signUp({ email: '  Ann@Example.COM ', name: ' Ann ', password: 'correct horse' });
    expect(res.errors).toBeUndefined();
    const { token, user } = res.data.signUp;
    expect(user).toEqual({ id: expect.any(String), email: 'ann@example.com', name: 'Ann' });

    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: await kidOf(subgraph) });
    expect(payload).toMatchObject({ sub: user.id, email: 'ann@example.com', roles: ['customer'], iss: 'ficus-users', aud: 'ficus' });
    expect(payload.scope).toBeUndefined();
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('publishes users.user.registered to the USERS stream with the event id as Nats-Msg-Id', async () => {
    const user = await register('bob@example.com');
    const jsm = await jetstreamManager(subgraph.nats);
    const message = await waitFor(
      async () => {
        const last = await jsm.streams.getMessage('USERS', { last_by_subj: 'users.user.registered' }).catch(() => null);
        return last?.json<{ data: { userId: string } }>().data.userId === user.id ? last : null;
      },
      { what: "bob's registration in the USERS stream" },
    );
    const event = message.json<{ id: string; type: string; aggregateId: string; data: Record<string, string> }>();
    expect(event).toMatchObject({ type: 'users.user.registered', aggregateId: user.id });
    expect(event.data).toEqual({ userId: user.id, email: 'bob@example.com', name: 'Someone' });
    expect(message.header.get('Nats-Msg-Id')).toBe(event.id);
  });

  it('rejects a second account with the same email, in any case, with CONFLICT and keeps one row', async () => {
    await register('carol@example.com');
    const res = await signUp({ email: 'CAROL@example.com', name: 'Carol again', password: 'long enough' });
    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(await subgraph.orm.em.fork().count(User, { email: 'carol@example.com' })).toBe(1);
  });

  it('lets only one of several simultaneous sign-ups with one email through', async () => {
    const attempts = await Promise.all(
      ['Judy@example.com', 'judy@example.com', ' JUDY@example.com'].map((email) =>
        signUp({ email, name: 'Judy', password: 'long enough' }),
      ),
    );
    expect(attempts.map(errorCodes).sort()).toEqual([[], ['CONFLICT'], ['CONFLICT']]);
    expect(await subgraph.orm.em.fork().count(User, { email: 'judy@example.com' })).toBe(1);
  });

  it('has a unique index on email that stops a duplicate the check did not see', async () => {
    const em = subgraph.orm.em.fork();
    const row = { name: 'Kim', passwordHash: 'unused', roles: ['customer'], createdAt: new Date() };
    em.create(User, { ...row, id: newEventId(), email: 'kim@example.com' });
    em.create(User, { ...row, id: newEventId(), email: 'kim@example.com' });
    await expect(em.flush()).rejects.toThrow(UniqueConstraintViolationException);
  });

  it('rejects a bad email and a short password with BAD_USER_INPUT naming both and writes nothing', async () => {
    const em = subgraph.orm.em.fork();
    const [users, events] = [await em.count(User, {}), await em.count(OutboxEvent, {})];
    const res = await signUp({ email: 'not-an-email', name: 'Dan', password: 'short' });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.extensions!.fields).toEqual([
      { field: 'email', message: 'must be a valid email address' },
      { field: 'password', message: 'at least 8 characters' },
    ]);
    expect(await em.count(User, {})).toBe(users);
    expect(await em.count(OutboxEvent, {})).toBe(events);
  });

  it('refuses a password holding a lone surrogate, which would hash as U+FFFD and match its look-alikes', async () => {
    const res = await signUp({ email: 'surrogate@example.com', name: 'Sue', password: 'long enough \ud800' });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.extensions!.fields).toEqual([{ field: 'password', message: 'must be well-formed Unicode text (it holds a lone surrogate)' }]);
    expect(errorCodes(await signUp({ email: 'surrogate@example.com', name: 'Sue', password: 'long enough \ud83c\udf31' }))).toEqual([]);
  });

  it('signs in with the right password and refuses a wrong password and an unknown email alike', async () => {
    const user = await register('erin@example.com');
    const ok = await signIn(' Erin@example.com', 'long enough');
    expect(ok.errors).toBeUndefined();
    expect(ok.data.signIn.user).toEqual({ id: user.id, email: 'erin@example.com' });
    expect((await verify(ok.data.signIn.token)).payload.sub).toBe(user.id);

    const wrongPassword = await signIn('erin@example.com', 'not the password');
    const unknownEmail = await signIn('nobody@example.com', 'long enough');
    expect(errorCodes(wrongPassword)).toEqual(['UNAUTHENTICATED']);
    expect(wrongPassword.errors![0]!.message).toBe('invalid email or password');
    expect(unknownEmail.errors).toEqual(wrongPassword.errors);
  });

  it('answers me with the caller from the identity headers, and null when anonymous', async () => {
    const user = await register('frank@example.com');
    const mine = await graphql(subgraph.url, ME, {}, asUser(user));
    expect(mine.data.me).toEqual({ id: user.id, email: 'frank@example.com', name: 'Someone' });
    const anonymous = await graphql(subgraph.url, ME);
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data.me).toBeNull();
  });

  it('shows an account only to its owner and to admins', async () => {
    const grace = await register('grace@example.com');
    const heidi = await register('heidi@example.com');
    expect(errorCodes(await graphql(subgraph.url, USER, { id: grace.id }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await graphql(subgraph.url, USER, { id: grace.id }, asUser(heidi)))).toEqual(['FORBIDDEN']);
    expect((await graphql(subgraph.url, USER, { id: grace.id }, asUser(grace))).data.user.id).toBe(grace.id);
    const admin = asUser({ id: 'u-admin', email: 'admin@example.com' }, ['admin']);
    expect((await graphql(subgraph.url, USER, { id: grace.id }, admin)).data.user.email).toBe('grace@example.com');
    expect((await graphql(subgraph.url, USER, { id: 'missing' }, admin)).data.user).toBeNull();
  });

  it('resolves 50 user references in one _entities call with one SQL query on the users table', async () => {
    const em = subgraph.orm.em.fork();
    const ids = Array.from({ length: 50 }, () => newEventId());
    ids.forEach((id, i) =>
      em.create(User, { id, email: `ref-${i}@example.com`, name: `Ref ${i}`, passwordHash: 'unused', roles: ['customer'], createdAt: new Date() }),
    );
    await em.flush();

    const queries: string[] = [];
    const unsubscribe = subgraph.queryLog.subscribe((sql) => queries.push(sql));
    const res = await graphql(subgraph.url, ENTITIES, {
      representations: [...ids.map((id) => ({ __typename: 'User', id })), { __typename: 'User', id: 'missing' }],
    });
    unsubscribe();
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toHaveLength(51);
    expect(res.data._entities[49]).toEqual({ id: ids[49], name: 'Ref 49' });
    expect(res.data._entities[50]).toBeNull();
    // The outbox relay polls in the background; count only statements on the quoted users table.
    expect(queries.filter((q) => /[`"]users[`"]/.test(q))).toHaveLength(1);
  });

  it("shows a referenced user's email to that user and admins only, and its name to anyone", async () => {
    const user = await register(`referenced-${kind}@example.com`);
    const other = await register(`other-${kind}@example.com`);
    const withEmail = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name email } } }';
    const representations = { r: [{ __typename: 'User', id: user.id }] };
    const codes = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.map((e) => e.extensions?.code);

    expect(codes(await graphql(subgraph.url, withEmail, representations))).toEqual(['FORBIDDEN']);
    expect(codes(await graphql(subgraph.url, withEmail, representations, asUser(other)))).toEqual(['FORBIDDEN']);
    const own = await graphql(subgraph.url, withEmail, representations, asUser(user));
    const admin = await graphql(subgraph.url, withEmail, representations, asUser(other, ['admin']));
    const names = await graphql(subgraph.url, ENTITIES, { representations: [{ __typename: 'User', id: user.id }] });

    expect(own.data._entities).toEqual([{ id: user.id, name: 'Someone', email: user.email }]);
    expect(admin.data._entities).toEqual([{ id: user.id, name: 'Someone', email: user.email }]);
    expect(names.errors).toBeUndefined();
    expect(names.data._entities).toEqual([{ id: user.id, name: 'Someone' }]);
  });

  it('creates the configured development admin before it accepts traffic', async () => {
    const res = await signIn('root@example.com', 'admin');
    expect(res.errors).toBeUndefined();
    const { payload } = await verify(res.data.signIn.token);
    expect(payload.roles).toEqual(['admin']);
    expect(payload.scope).toBe('catalog:write inventory:write orders:read-all');
  });

  it('creates the development admin once however often ensureAdmin runs, with its short password', async () => {
    const seed = { email: 'admin@example.com', name: 'Admin', password: 'admin' };
    const first = await ensureAdmin(subgraph.orm.em, seed);
    const second = await ensureAdmin(subgraph.orm.em, { ...seed, email: ' ADMIN@example.com' });
    expect(second.id).toBe(first.id);
    expect(first.roles).toEqual(['admin']);
    const em = subgraph.orm.em.fork();
    expect(await em.count(User, { email: 'admin@example.com' })).toBe(1);
    expect(await em.count(OutboxEvent, { aggregateId: first.id, type: 'users.user.registered' })).toBe(1);

    const res = await signIn('admin@example.com', 'admin');
    expect(res.errors).toBeUndefined();
    expect((await verify(res.data.signIn.token)).payload.roles).toEqual(['admin']);
  });

  it('holds ensureAdmin to every sign-up rule but the password length', async () => {
    await expect(ensureAdmin(subgraph.orm.em, { email: 'nope', name: '', password: '' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: {
        fields: [
          { field: 'email', message: 'must be a valid email address' },
          { field: 'name', message: 'must not be empty' },
          { field: 'password', message: 'must not be empty' },
        ],
      },
    });
  });

  it('generates the development signing key once, readable by its owner only, and reuses it on the next start', async () => {
    const file = path.join(users.dataDir, 'users-jwt-key.pem');
    const pem = fs.readFileSync(file, 'utf8');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const otherDb = await createTestDatabase(kind, 'users_restart');
    const restarted = await build({ ...users.config, database: otherDb.target });
    try {
      expect(await kidOf(restarted)).toBe(await kidOf(subgraph));
      const token = (await signUp({ email: 'ivan@example.com', name: 'Ivan', password: 'long enough' })).data.signUp.token;
      expect((await verify(token, restarted)).payload.email).toBe('ivan@example.com');
      expect(fs.readFileSync(file, 'utf8')).toBe(pem);
      expect(fs.readdirSync(users.dataDir)).toEqual(['users-jwt-key.pem']);
    } finally {
      await restarted.stop();
      await otherDb.drop();
    }
  });
});
