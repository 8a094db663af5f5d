import { CHECK, productsWithoutSku, publish, repoSchema, startTestRegistry, TestRegistry } from './registry-harness';
import { checkConfig, roverCheck } from './rover-protocol';

const CREATE_KEY = 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name scopes createdAt } } }';
const LIST_KEYS = '{ apiKeys { id name scopes createdAt } }';
const REVOKE_KEY = 'mutation($id: ID!) { revokeApiKey(id: $id) { id name } }';
const AUDIT = 'query($ref: String, $action: String, $limit: Int, $before: ID) { auditLog(ref: $ref, action: $action, limit: $limit, before: $before) { id at action graphRef subject outcome actor actorKeyId details } }';
const PUBLISH_PQ = 'mutation($input: PublishPersistedQueriesInput!) { publishPersistedQueries(input: $input) { published added } }';

describe.each(['sqlite', 'postgres'] as const)('API keys and the audit log on %s', (kind) => {
  let t: TestRegistry;
  const ref = 'shop@audited';
  const audit = async (variables: Record<string, unknown> = {}) => {
    const res = await t.gql(AUDIT, variables, t.keys.admin);
    expect(res.errors).toBeUndefined();
    return res.data.auditLog as any[];
  };

  beforeAll(async () => {
    t = await startTestRegistry(kind, `keys_audit_${kind}`);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates a key with the scopes asked for through the API with an admin key, and the new key works', async () => {
    const res = await t.gql(CREATE_KEY, { input: { name: 'deploy-bot', scopes: ['publish', 'read'] } }, t.keys.admin);
    expect(res.errors).toBeUndefined();
    const { key, apiKey } = res.data.createApiKey;
    expect(key).toMatch(/^ficus_[\w-]{43}$/);
    expect(apiKey).toMatchObject({ name: 'deploy-bot', scopes: ['publish', 'read'] });
    expect((await t.gql('{ variant(ref: "shop@none") { ref } }', {}, key)).data).toEqual({ variant: null });
  });

  it('refuses key management without a key (UNAUTHENTICATED) and with a key lacking the admin scope (FORBIDDEN)', async () => {
    const none = await t.gql(LIST_KEYS, {}, null);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const notAdmin = await t.gql(CREATE_KEY, { input: { name: 'sneaky', scopes: ['admin'] } }, t.keys.all);
    expect(notAdmin.errors?.[0]).toMatchObject({ message: 'the API key "ci-all" lacks the admin scope', extensions: { code: 'FORBIDDEN' } });
    expect((await t.gql(AUDIT, {}, t.keys.publish)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(CREATE_KEY, { input: { name: 'x', scopes: ['owner'] } }, t.keys.admin)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a key name with control characters, line breaks or bidirectional overrides, or the bootstrap key\'s name, with BAD_USER_INPUT', async () => {
    for (const name of ['red\u001b[31m', 'two\nlines', 'rtl\u202eeman', 'bootstrap (development)']) {
      const res = await t.gql(CREATE_KEY, { input: { name, scopes: ['read'] } }, t.keys.admin);
      expect({ name, code: res.errors?.[0]?.extensions?.code }).toEqual({ name, code: 'BAD_USER_INPUT' });
    }
    expect((await t.gql(LIST_KEYS, {}, t.keys.admin)).data.apiKeys.map((k: { name: string }) => k.name)).not.toContain('bootstrap (development)');
  });

  it('lists keys without their secrets, and a revoked key is gone and opens nothing from then on', async () => {
    const created = (await t.gql(CREATE_KEY, { input: { name: 'short-lived', scopes: ['read'] } }, t.keys.admin)).data.createApiKey;
    const listed = (await t.gql(LIST_KEYS, {}, t.keys.admin)).data.apiKeys as any[];
    expect(listed.map((k) => k.name)).toEqual(expect.arrayContaining(['short-lived', 'deploy-bot', 'ci-admin', 'ci-all']));
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const revoked = await t.gql(REVOKE_KEY, { id: created.apiKey.id }, t.keys.admin);
    expect(revoked.data.revokeApiKey).toMatchObject({ id: created.apiKey.id, name: 'short-lived' });
    const refused = await t.gql('{ variant(ref: "shop@none") { ref } }', {}, created.key);
    expect(refused.errors?.[0]).toMatchObject({ message: 'the API key is not valid', extensions: { code: 'UNAUTHENTICATED' } });
    const uplink = await fetch(`${t.registry.baseUrl}/api/cdn/shop@none/supergraph`, { headers: { authorization: `Bearer ${created.key}` } });
    expect(uplink.status).toBe(401);

    const after = (await t.gql(LIST_KEYS, {}, t.keys.admin)).data.apiKeys as any[];
    expect(after.map((k) => k.id)).not.toContain(created.apiKey.id);
    expect((await t.gql(REVOKE_KEY, { id: created.apiKey.id }, t.keys.admin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('records every publish, check, key change and persisted-manifest publish with who did it and when', async () => {
    const started = Date.now();
    await publish(t, ref, 'products', repoSchema('products'));
    const failed = await t.gql(CHECK, { input: { ref, name: 'products', sdl: productsWithoutSku() } }, t.keys.check);
    expect(failed.data.checkSubgraph.passed).toBe(false);
    const pq = await t.gql(
      PUBLISH_PQ,
      { input: { ref, manifest: JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'op-1', name: 'Q', type: 'query', body: 'query Q { __typename }' }] }) } },
      t.keys.publish,
    );
    expect(pq.data.publishPersistedQueries.published).toBe(true);

    const events = await audit({ ref });
    expect(events.map((e) => [e.action, e.subject, e.outcome, e.actor])).toEqual([
      ['persisted_queries.publish', null, 'published', 'ci-publish'],
      ['subgraph.check', 'products', 'failed', 'ci-check'],
      ['subgraph.publish', 'products', 'published', 'ci-all'],
    ]);
    for (const e of events) {
      expect(e.graphRef).toBe(ref);
      expect(Date.parse(e.at)).toBeGreaterThanOrEqual(started - 1000);
    }
    expect(JSON.parse(events[1].details)).toEqual({ checkId: failed.data.checkSubgraph.id });
    expect(JSON.parse(events[2].details)).toMatchObject({ supergraphId: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const keyEvents = await audit({ action: 'key.revoke' });
    expect(keyEvents).toEqual([expect.objectContaining({ action: 'key.revoke', subject: 'short-lived', outcome: 'revoked', actor: 'ci-admin' })]);
    const created = await audit({ action: 'key.create' });
    expect(created.map((e) => e.subject)).toEqual(['short-lived', 'deploy-bot']);
    expect(JSON.parse(created[1].details)).toMatchObject({ scopes: ['publish', 'read'] });
  });

  it('records a refused publish too, and pages back through the log with limit and before', async () => {
    const refused = await t.gql(
      'mutation($input: PublishSubgraphInput!) { publishSubgraph(input: $input) { published } }',
      { input: { ref, name: 'broken', sdl: 'type Query { products: Int }', routingUrl: 'http://127.0.0.1:4999/broken' } },
    );
    expect(refused.data.publishSubgraph.published).toBe(false);
    const [newest] = await audit({ ref, limit: 1 });
    expect(newest).toMatchObject({ action: 'subgraph.publish', subject: 'broken', outcome: 'refused', actor: 'ci-all' });
    const older = await audit({ ref, limit: 2, before: newest.id });
    expect(older.map((e) => e.action)).toEqual(['persisted_queries.publish', 'subgraph.check']);
    expect((await t.gql(AUDIT, { action: 'nonsense' }, t.keys.admin)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a before that is not an entry id with BAD_USER_INPUT, where it used to page from the newest entry', async () => {
    for (const before of ['abc', '1e3', '-5', '0', '12.5', '99999999999999999999']) {
      const res = await t.gql(AUDIT, { ref, before }, t.keys.admin);
      expect([before, res.errors?.[0]?.extensions?.code, res.errors?.[0]?.message]).toEqual([before, 'BAD_USER_INPUT', expect.stringMatching(/^before must be the id of an audit log entry/)]);
    }
  });

  it("records a check made through rover's Platform API as well", async () => {
    await roverCheck(t, ref, 'products', productsWithoutSku(), checkConfig(), t.keys.check);
    const [newest] = await audit({ ref, limit: 1 });
    expect(newest).toMatchObject({ action: 'subgraph.check', subject: 'products', outcome: 'failed', actor: 'ci-check' });
  });
});
