import { createHash } from 'node:crypto';
import { contractOperation, startTestRegistry, TestRegistry } from './registry-harness';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Operation {
  id: string;
  name: string;
  type: string;
  body: string;
}

/** An operation as @apollo/generate-persisted-query-manifest lists it: its id is the sha256 of its body. */
const listed = (name: string, type = 'query', body = contractOperation(name)): Operation => ({ id: sha256(body), name, type, body });

const manifestOf = (operations: unknown[]): string => JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations });

const PUBLISH_PQ = /* GraphQL */ `
  mutation($input: PublishPersistedQueriesInput!) {
    publishPersistedQueries(input: $input) { published unchanged added identical total revision conflicts { id name publishedName } }
  }
`;

describe.each(['sqlite', 'postgres'] as const)('persisted query lists on %s', (kind) => {
  let t: TestRegistry;
  const ref = 'shop@current';
  const publishManifest = (manifest: string, key?: string) => t.gql(PUBLISH_PQ, { input: { ref, manifest } }, key);
  const fetchList = (query = '', headers: Record<string, string> = {}, key: string | null = t.keys.read) =>
    fetch(`${t.registry.baseUrl}/api/persisted-queries/${ref}${query}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
  const listOf = async (): Promise<any> => (await fetchList()).json();

  beforeAll(async () => {
    t = await startTestRegistry(kind, `persisted_queries_${kind}`);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves an empty list at revision 0 before anything is published', async () => {
    const response = await fetchList();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ format: 'apollo-persisted-query-manifest', version: 1, graphRef: ref, revision: 0, operations: [] });
  });

  it('adds a manifest’s operations and serves them to gateways as an Apollo manifest', async () => {
    const operations = [listed('Catalog'), listed('SignUp', 'mutation')];
    const res = await publishManifest(manifestOf(operations));
    expect(res.errors).toBeUndefined();
    expect(res.data.publishPersistedQueries).toEqual({ published: true, unchanged: false, added: 2, identical: 0, total: 2, revision: 1, conflicts: [] });

    const response = await fetchList();
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-f-]{36}:1"$/);
    const list = (await response.json()) as any;
    expect(list.revision).toBe(1);
    expect(list.operations).toEqual([...operations].sort((a, b) => a.id.localeCompare(b.id)));
  });

  it('records nothing when the same manifest is published again', async () => {
    const res = await publishManifest(manifestOf([listed('Catalog'), listed('SignUp', 'mutation')]));
    expect(res.data.publishPersistedQueries).toMatchObject({ published: true, unchanged: true, added: 0, identical: 2, total: 2, revision: 1 });
  });

  it('keeps operations a later manifest leaves out, adding only the new ones', async () => {
    const res = await publishManifest(manifestOf([listed('Catalog'), listed('MyOrders')]));
    expect(res.data.publishPersistedQueries).toMatchObject({ published: true, unchanged: false, added: 1, identical: 1, total: 3, revision: 2 });
    const list = await listOf();
    expect(list.operations.map((o: Operation) => o.name).sort()).toEqual(['Catalog', 'MyOrders', 'SignUp']);
  });

  it('accepts custom ids, as Apollo’s createOperationId allows', async () => {
    const res = await publishManifest(manifestOf([{ ...listed('PlaceOrder', 'mutation'), id: 'storefront:PlaceOrder:v1' }]));
    expect(res.data.publishPersistedQueries).toMatchObject({ published: true, added: 1, total: 4, revision: 3 });
  });

  it('refuses, recording nothing, a manifest that gives a listed id another body', async () => {
    const changed = { id: 'storefront:PlaceOrder:v1', name: 'PlaceOrder', type: 'mutation', body: 'mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }' };
    const res = await publishManifest(manifestOf([changed, listed('WatchOrder', 'subscription')]));
    expect(res.data.publishPersistedQueries).toMatchObject({
      published: false,
      conflicts: [{ id: 'storefront:PlaceOrder:v1', name: 'PlaceOrder', publishedName: 'PlaceOrder' }],
    });
    const list = await listOf();
    expect(list.revision).toBe(3);
    expect(list.operations.map((o: Operation) => o.name)).not.toContain('WatchOrder');
  });

  it('shows the list in the GraphQL API with the key that published each operation', async () => {
    const res = await t.gql(`{ variant(ref: "${ref}") { persistedQueries { revision operationCount operations { name publishedBy } } } }`);
    expect(res.data.variant.persistedQueries).toMatchObject({ revision: 3, operationCount: 4 });
    expect(res.data.variant.persistedQueries.operations).toContainEqual({ name: 'Catalog', publishedBy: 'ci-all' });
  });

  it('answers a long-poll as soon as a publish adds operations, and 304 when nothing changes in time', async () => {
    const { id } = await listOf();
    expect((await fetchList(`?after=${encodeURIComponent(id)}&wait=0`)).status).toBe(304);

    const started = Date.now();
    const waiting = fetchList(`?after=${encodeURIComponent(id)}&wait=15`);
    await publishManifest(manifestOf([listed('WatchOrder', 'subscription')]));
    const response = await waiting;
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).revision).toBe(4);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const etag = (await fetchList()).headers.get('etag')!;
    expect((await fetchList('', { 'if-none-match': etag })).status).toBe(304);
    expect((await fetchList('', { 'if-none-match': '"stale:1"' })).status).toBe(200);
  });

  it('needs the publish scope to publish and the read scope to fetch', async () => {
    const refused = await publishManifest(manifestOf([listed('Catalog')]), t.keys.read);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await fetchList('', {}, t.keys.publish)).status).toBe(403);
    expect((await fetchList('', {}, null)).status).toBe(401);
  });

  it('takes a manifest of 3,000 operations in one publish, and again with one changed, and serves every one', async () => {
    const large = 'shop@large';
    const operations = Array.from({ length: 3000 }, (_, i) => listed(`Op${i}`, 'query', `query Op${i} { __typename }`));
    const first = await t.gql(PUBLISH_PQ, { input: { ref: large, manifest: manifestOf(operations) } });
    expect(first.errors).toBeUndefined();
    expect(first.data.publishPersistedQueries).toMatchObject({ published: true, added: 3000, total: 3000, revision: 1 });

    const changed = [...operations.slice(1), listed('Op3000', 'query', 'query Op3000 { __typename }')];
    const second = await t.gql(PUBLISH_PQ, { input: { ref: large, manifest: manifestOf(changed) } });
    expect(second.errors).toBeUndefined();
    expect(second.data.publishPersistedQueries).toMatchObject({ published: true, added: 1, identical: 2999, revision: 2 });

    const response = await fetch(`${t.registry.baseUrl}/api/persisted-queries/${large}`, { headers: { authorization: `Bearer ${t.keys.read}` } });
    const list = (await response.json()) as any;
    expect(list.operations).toHaveLength(3001);
  });
});

describe('hostile manifests', () => {
  let t: TestRegistry;
  const refusal = async (manifest: string) => {
    const res = await t.gql(PUBLISH_PQ, { input: { ref: 'shop@hostile', manifest } });
    return { code: res.errors?.[0]?.extensions?.code, message: res.errors?.[0]?.message ?? '' };
  };

  beforeAll(async () => {
    t = await startTestRegistry('sqlite', 'persisted_queries_hostile');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses text that is not JSON', async () => {
    expect(await refusal('{"format": "apollo-persisted-query-manifest",')).toEqual({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/^invalid manifest: not JSON/) });
  });

  it('refuses another format or version', async () => {
    expect(await refusal(JSON.stringify({ format: 'relay', version: 1, operations: [] }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'invalid manifest: format must be "apollo-persisted-query-manifest", not "relay"',
    });
    expect((await refusal(JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 2, operations: [] }))).message).toBe(
      'invalid manifest: version must be 1, not 2',
    );
    expect((await refusal('[]')).message).toBe('invalid manifest: the top level must be a JSON object');
  });

  it('refuses a manifest larger than the limit without reading its operations', async () => {
    const huge = manifestOf([{ ...listed('Catalog'), padding: 'x'.repeat(4_100_000) }]);
    const found = await refusal(huge);
    expect(found).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/more than the 4000000 a manifest may have/) });
  });

  it('names every bad operation at once: unparsable bodies, wrong names and types, bad ids', async () => {
    const found = await refusal(
      manifestOf([
        { id: sha256('query Broken {'), name: 'Broken', type: 'query', body: 'query Broken {' },
        { ...listed('Catalog'), name: 'Products' },
        { ...listed('Catalog'), type: 'mutation' },
        { id: 'has space', name: 'Catalog', type: 'query', body: contractOperation('Catalog') },
        { id: sha256('something else'), name: 'Catalog', type: 'query', body: contractOperation('Catalog') },
        { id: 'schema', name: 'Schema', type: 'query', body: 'type Query { a: Int }' },
        'not an operation',
      ]),
    );
    expect(found.code).toBe('BAD_USER_INPUT');
    expect(found.message).toContain('operations[0] (Broken): body does not parse: Syntax Error');
    expect(found.message).toContain("operations[1] (Products): body's operation is named Catalog, not Products");
    expect(found.message).toContain("operations[2] (Catalog): body's operation is a query, not a mutation");
    expect(found.message).toContain('operations[3]: id must be 1 to 256 printable characters without spaces');
    expect(found.message).toContain('operations[4] (Catalog): id ' + sha256('something else') + ' looks like a sha256 but is not the sha256 of the body');
    expect(found.message).toContain('operations[5] (Schema): body may hold only an operation and fragments, not a ObjectTypeDefinition');
    expect(found.message).toContain('operations[6]: must be an object with id, name, type and body');
  });

  it('refuses one id given twice with different bodies, and counts one given twice with the same body once', async () => {
    const clash = await refusal(manifestOf([{ ...listed('Catalog'), id: 'catalog' }, { ...listed('MyOrders'), id: 'catalog' }]));
    expect(clash.message).toContain('operations[1] (MyOrders): id catalog is already given to Catalog with a different body');

    const res = await t.gql(PUBLISH_PQ, { input: { ref: 'shop@hostile', manifest: manifestOf([listed('Catalog'), listed('Catalog')]) } });
    expect(res.data.publishPersistedQueries).toMatchObject({ published: true, added: 1, total: 1 });
  });

  it('refuses U+0000 in a body or a name, which SQLite refused inside its statement as an internal error', async () => {
    const body = 'query Nul { a(x: "\u0000") }';
    const found = await refusal(manifestOf([{ id: 'nul', name: 'Nul', type: 'query', body }, { id: 'nul-name', name: 'N\u0000', type: 'query', body: 'query N { a }' }]));
    expect(found.code).toBe('BAD_USER_INPUT');
    expect(found.message).toContain('operations[0]: name and body may not hold the character U+0000 (NUL)');
    expect(found.message).toContain('operations[1]: name and body may not hold the character U+0000 (NUL)');
  });

  it('bounds the work a deeply nested or token-heavy body costs', async () => {
    for (const levels of [3_000, 16_000]) {
      const deep = `query Deep { ${'a{'.repeat(levels)} b ${'}'.repeat(levels + 1)}`;
      const found = await refusal(manifestOf([{ id: 'deep', name: 'Deep', type: 'query', body: deep }]));
      expect(found).toEqual({ code: 'BAD_USER_INPUT', message: 'invalid manifest: operations[0] (Deep): body nests `{`, `(` and `[` more than 500 levels deep' });
    }
    const tokens = `query Many { a${'@b'.repeat(30_000)} }`;
    expect((await refusal(manifestOf([{ id: 'many', name: 'Many', type: 'query', body: tokens }]))).message).toMatch(/body does not parse: Syntax Error: Document contains more tha[nt] 50000 tokens/);
  });
});
