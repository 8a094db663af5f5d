import { apiSchemaOf } from '../src';
import { contractOperation, coordinatesOf, CHECK, productsWithoutSku, publish, repoSchema, reportUsage, startTestRegistry, TestRegistry } from './registry-harness';

const KEYS = /* GraphQL */ `{ apiKeys { id name scopes } }`;
const CREATE = /* GraphQL */ `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name scopes } } }`;
const REVOKE = /* GraphQL */ `mutation ($id: ID!) { revokeApiKey(id: $id) { id name } }`;
const VIEWER = /* GraphQL */ `{ viewer { name scopes } }`;

describe.each(['sqlite', 'postgres'] as const)("the console's registry API on %s", (kind) => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry(kind, 'registry_console_api');
    await publish(t, 'shop@current', 'products', repoSchema('products'), 'http://products.internal/graphql');
    await publish(t, 'shop@current', 'inventory', repoSchema('inventory'));
    await publish(t, 'shop@current', 'products', repoSchema('products').replace('  sku: String!\n', '  sku: String!\n  weightGrams: Int\n'), 'http://products-v2.internal/graphql');
    await publish(t, 'shop@staging', 'products', repoSchema('products'));
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('lists every variant by graph and name', async () => {
    const res = await t.gql(`{ variants { ref subgraphs { name } } }`);
    expect(res.data.variants).toEqual([
      { ref: 'shop@current', subgraphs: [{ name: 'inventory' }, { name: 'products' }] },
      { ref: 'shop@staging', subgraphs: [{ name: 'products' }] },
    ]);
  });

  it("lists a subgraph's versions newest first, each with its routing URL, publisher and SDL", async () => {
    const res = await t.gql(`{ variant(ref: "shop@current") { subgraphVersions(name: "products") { id routingUrl publishedBy sdl supergraphId } } }`);
    const versions = res.data.variant.subgraphVersions;
    expect(versions.map((v: { routingUrl: string }) => v.routingUrl)).toEqual(['http://products-v2.internal/graphql', 'http://products.internal/graphql']);
    expect(Number(versions[0].id)).toBeGreaterThan(Number(versions[1].id));
    expect(versions[0].sdl).toContain('weightGrams: Int');
    expect(versions[1].sdl).not.toContain('weightGrams');
    expect(versions.every((v: { publishedBy: string }) => v.publishedBy === 'ci-all')).toBe(true);
    expect(versions[0].supergraphId).not.toBe(versions[1].supergraphId);
  });

  it('lists check runs newest first and adds up field usage per field, with operations and clients', async () => {
    const sdl = (await t.gql(`{ variant(ref: "shop@current") { supergraph { sdl } } }`)).data.variant.supergraph.sdl;
    const signature = contractOperation('Catalog');
    const coordinates = coordinatesOf(signature, apiSchemaOf(sdl));
    const sent = await reportUsage(t, 'shop@current', [
      { signature, operationName: 'Catalog', clientName: 'storefront', clientVersion: '1.4.0', coordinates, count: 30 },
      { signature, operationName: 'Catalog', clientName: 'ios', clientVersion: '2.0', coordinates, count: 12 },
    ]);
    expect(sent.status).toBe(202);
    const first = (await t.gql(CHECK, { input: { ref: 'shop@current', name: 'products', sdl: repoSchema('products') } })).data.checkSubgraph;
    const second = (await t.gql(CHECK, { input: { ref: 'shop@current', name: 'products', sdl: productsWithoutSku() } })).data.checkSubgraph;

    const res = await t.gql(`{ variant(ref: "shop@current") {
      checkRuns(limit: 10) { id passed changes { coordinate blocking affectedOperations { name clients { name } } } }
      fieldUsage(period: "1d") { totalRequests fields { coordinate count operations clients { name version count } } }
    } }`);
    const { checkRuns, fieldUsage } = res.data.variant;
    expect(checkRuns.map((r: { id: string }) => r.id)).toEqual([second.id, first.id]);
    expect(checkRuns[0]).toMatchObject({ passed: false });
    expect(checkRuns[0].changes).toContainEqual({ coordinate: 'Product.sku', blocking: true, affectedOperations: [{ name: 'Catalog', clients: [{ name: 'storefront' }, { name: 'ios' }] }] });
    expect(fieldUsage.totalRequests).toBe(42);
    expect(fieldUsage.fields.find((f: { coordinate: string }) => f.coordinate === 'Product.sku')).toEqual({
      coordinate: 'Product.sku',
      count: 42,
      operations: ['Catalog'],
      clients: [
        { name: 'storefront', version: '1.4.0', count: 30 },
        { name: 'ios', version: '2.0', count: 12 },
      ],
    });
  });

  it('refuses a check run limit outside 1 to 200', async () => {
    const res = await t.gql(`{ variant(ref: "shop@current") { checkRuns(limit: 0) { id } } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('says which key a request carries, and refuses one without a valid key', async () => {
    expect((await t.gql(VIEWER, {}, t.keys.report)).data).toEqual({ viewer: { name: 'gateway', scopes: ['report'] } });
    expect((await t.gql(VIEWER, {}, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(VIEWER, {}, 'ficus_unknown')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets only an admin key list, create and revoke keys', async () => {
    for (const key of [t.keys.all, t.keys.read]) {
      expect((await t.gql(KEYS, {}, key)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await t.gql(CREATE, { input: { name: 'x', scopes: ['read'] } }, key)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await t.gql(REVOKE, { id: 'whatever' }, key)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('creates a key shown once that works at once, lists it without the key, and revokes it so it is refused', async () => {
    const created = (await t.gql(CREATE, { input: { name: 'release bot', scopes: ['read', 'check'] } }, t.keys.admin)).data.createApiKey;
    expect(created.key).toMatch(/^ficus_[A-Za-z0-9_-]{43}$/);
    expect((await t.gql(VIEWER, {}, created.key)).data.viewer).toEqual({ name: 'release bot', scopes: ['read', 'check'] });

    const listed = (await t.gql(KEYS, {}, t.keys.admin)).data.apiKeys;
    expect(listed).toContainEqual({ id: created.apiKey.id, name: 'release bot', scopes: ['read', 'check'] });
    expect(JSON.stringify(listed)).not.toContain(created.key);

    expect((await t.gql(REVOKE, { id: created.apiKey.id }, t.keys.admin)).data.revokeApiKey).toEqual({ id: created.apiKey.id, name: 'release bot' });
    expect((await t.gql(VIEWER, {}, created.key)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(REVOKE, { id: created.apiKey.id }, t.keys.admin)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refuses a key with an unknown scope or no scope', async () => {
    expect((await t.gql(CREATE, { input: { name: 'x', scopes: ['root'] } }, t.keys.admin)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.gql(CREATE, { input: { name: 'x', scopes: [] } }, t.keys.admin)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
