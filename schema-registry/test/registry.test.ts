import { apiSchemaOf } from '../src';
import { Scope } from '../src/db/entities';
import { ApiKey, Variant } from '../src/db/entities';
import { waitFor } from '@ficus/testkit';
import {
  CHECK,
  contractOperation,
  coordinatesOf,
  productsWithoutSku,
  publish,
  PUBLISH,
  repoSchema,
  reportUsage,
  startTestRegistry,
  TestRegistry,
} from './registry-harness';
import { checkVariables, roverRequest, SUBGRAPH_CHECK } from './rover-protocol';

const SUPERGRAPH = /* GraphQL */ `query ($ref: String!) { variant(ref: $ref) { supergraph { id sdl } subgraphs { name publishedBy } } }`;

describe.each(['sqlite', 'postgres'] as const)('schema registry on %s', (kind) => {
  let t: TestRegistry;
  let catalog: { signature: string; operationName: string; coordinates: string[] };

  beforeAll(async () => {
    t = await startTestRegistry(kind, 'registry');
    await publish(t, 'shop@current', 'products', repoSchema('products'));
    const { supergraph } = await publish(t, 'shop@current', 'inventory', repoSchema('inventory'));
    const sdl = (await t.gql(SUPERGRAPH, { ref: 'shop@current' })).data.variant.supergraph.sdl;
    expect(supergraph.id).toHaveLength(64);
    const operation = contractOperation('Catalog');
    catalog = { signature: operation, operationName: 'Catalog', coordinates: coordinatesOf(operation, apiSchemaOf(sdl)) };
  });

  afterAll(async () => {
    await t?.stop();
  });

  const check = (ref: string, sdl: string, options: Record<string, unknown> = {}, key?: string) =>
    t.gql(CHECK, { input: { ref, name: 'products', sdl, ...options } }, key);

  describe('API keys', () => {
    it.each([
      ['no key', null, 'UNAUTHENTICATED'],
      ['a key that does not exist', 'ficus_not-a-real-key', 'UNAUTHENTICATED'],
    ])('refuse %s with UNAUTHENTICATED', async (_what, key, code) => {
      const res = await t.gql(SUPERGRAPH, { ref: 'shop@current' }, key);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    });

    it.each([
      ['publish', 'check'],
      ['check', 'read'],
      ['read', 'publish'],
    ] as [string, Scope][])('refuse to %s with a key that has only the %s scope (FORBIDDEN)', async (action, scope) => {
      const key = t.keys[scope];
      const res =
        action === 'publish'
          ? await t.gql(PUBLISH, { input: { ref: 'shop@current', name: 'products', sdl: repoSchema('products'), routingUrl: 'http://x/graphql' } }, key)
          : action === 'check'
            ? await check('shop@current', repoSchema('products'), {}, key)
            : await t.gql(SUPERGRAPH, { ref: 'shop@current' }, key);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
      expect(res.errors?.[0]?.message).toContain(`lacks the ${action} scope`);
    });

    it('stores only the sha256 of each key', async () => {
      const rows = await t.registry.orm.em.fork().find(ApiKey, {});
      expect(rows).toHaveLength(Object.keys(t.keys).length);
      for (const row of rows) expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
      const stored = JSON.stringify(rows);
      for (const key of Object.values(t.keys)) expect(stored).not.toContain(key);
    });

    it('answers the REST endpoints with 401 without a key and 403 without the scope', async () => {
      expect((await reportUsage(t, 'shop@current', [], new Date(), null)).status).toBe(401);
      expect((await reportUsage(t, 'shop@current', [], new Date(), t.keys.read)).status).toBe(403);
      const supergraph = await fetch(`${t.registry.baseUrl}/api/supergraph/shop@current`, { headers: { 'x-api-key': t.keys.report } });
      expect(supergraph.status).toBe(403);
    });
  });

  describe('publishing', () => {
    it('records who published each subgraph', async () => {
      const res = await t.gql(SUPERGRAPH, { ref: 'shop@current' });
      expect(res.data.variant.subgraphs).toEqual([
        { name: 'inventory', publishedBy: 'ci-all' },
        { name: 'products', publishedBy: 'ci-all' },
      ]);
    });

    it('refuses a subgraph that does not compose, with the composition codes and where they are', async () => {
      const clash = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Product @key(fields: "id") {
  id: ID!
  name: String!
}`;
      const res = await t.gql(PUBLISH, { input: { ref: 'shop@current', name: 'reviews', sdl: clash, routingUrl: 'http://127.0.0.1:4010/graphql' } });
      expect(res.data.publishSubgraph.published).toBe(false);
      expect(res.data.publishSubgraph.compositionErrors).toContainEqual({
        code: 'INVALID_FIELD_SHARING',
        message: expect.stringContaining('Product.name'),
        locations: expect.arrayContaining([{ subgraph: 'reviews', line: 4, column: 3 }]),
      });
      const after = await t.gql(SUPERGRAPH, { ref: 'shop@current' });
      expect(after.data.variant.subgraphs.map((s: { name: string }) => s.name)).toEqual(['inventory', 'products']);
    });

    it('leaves no variant behind when the first publish to it does not compose, and creates it with the next one that does', async () => {
      const refused = await t.gql(PUBLISH, { input: { ref: 'shop@first', name: 'products', sdl: 'type Query { products: [Product!]! }', routingUrl: 'http://127.0.0.1:4002/graphql' } });
      expect(refused.data.publishSubgraph).toMatchObject({ published: false, compositionErrors: [expect.objectContaining({ code: 'INVALID_GRAPHQL' })] });
      expect((await t.gql(SUPERGRAPH, { ref: 'shop@first' })).data.variant).toBeNull();

      await publish(t, 'shop@first', 'products', repoSchema('products'));
      expect((await t.gql(SUPERGRAPH, { ref: 'shop@first' })).data.variant.subgraphs).toEqual([{ name: 'products', publishedBy: 'ci-all' }]);
    });

    it('keeps the supergraph id when the same SDL is published again', async () => {
      const before = (await t.gql(SUPERGRAPH, { ref: 'shop@current' })).data.variant.supergraph.id;
      const again = await publish(t, 'shop@current', 'inventory', repoSchema('inventory'));
      expect(again).toMatchObject({ unchanged: true, supergraph: { id: before } });
    });

    it('gives clear errors for a bad graph ref, subgraph name or routing URL', async () => {
      const attempt = (input: Record<string, string>) =>
        t.gql(PUBLISH, { input: { ref: 'shop@current', name: 'products', sdl: repoSchema('products'), routingUrl: 'http://x/graphql', ...input } });
      for (const [input, message] of [
        [{ ref: 'shop@current@x' }, 'is not a graph ref'],
        [{ name: 'has space' }, 'is not a subgraph name'],
        [{ routingUrl: 'ftp://x' }, 'is not an http(s) URL'],
        [{ routingUrl: 'http://x/graphql\n\u001b[31m' }, 'holds a control character'],
        [{ routingUrl: `http://x/${'a'.repeat(100_000)}` }, 'the routing URL is 100009 characters long; at most 2048'],
      ] as const) {
        const res = await attempt(input);
        expect(res.errors?.[0]).toMatchObject({ message: expect.stringContaining(message), extensions: { code: 'BAD_USER_INPUT' } });
      }
    });
  });

  describe('text holding U+0000, which PostgreSQL cannot store', () => {
    it('is refused with BAD_USER_INPUT in a publish, a check and through the rover API, and nothing is published', async () => {
      const before = (await t.gql(SUPERGRAPH, { ref: 'shop@current' })).data.variant.supergraph.id;
      const withNul = `${repoSchema('products')}\n# \u0000`;

      const published = await t.gql(PUBLISH, { input: { ref: 'shop@current', name: 'products', sdl: withNul, routingUrl: 'http://x/graphql' } });
      const routed = await t.gql(PUBLISH, { input: { ref: 'shop@current', name: 'products', sdl: repoSchema('products'), routingUrl: 'http://x/\u0000' } });
      const checked = await check('shop@current', withNul);
      const rover = await roverRequest(t, SUBGRAPH_CHECK, checkVariables('shop@current', 'products', withNul));

      for (const res of [published, routed, checked, rover.body]) {
        expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
        expect(res.errors?.[0]?.message).toContain('U+0000');
      }
      expect((await t.gql(SUPERGRAPH, { ref: 'shop@current' })).data.variant.supergraph.id).toBe(before);
    });
  });

  describe('the supergraph endpoint for gateways', () => {
    const fetchSupergraph = (ref: string, query = '') =>
      fetch(`${t.registry.baseUrl}/api/supergraph/${ref}${query}`, { headers: { authorization: `Bearer ${t.keys.read}` } });

    it('serves the latest supergraph with its id', async () => {
      const res = await fetchSupergraph('shop@current');
      const body = (await res.json()) as { id: string; sdl: string; graphRef: string };
      expect(res.status).toBe(200);
      expect(body).toMatchObject({ graphRef: 'shop@current', id: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(res.headers.get('etag')).toBe(`"${body.id}"`);
      expect(body.sdl).toContain('join__Graph');
    });

    it('answers 404 for a variant with nothing composed', async () => {
      expect((await fetchSupergraph('shop@nothing')).status).toBe(404);
    });

    it('answers 304 when nothing newer arrives within the wait', async () => {
      const { id } = (await (await fetchSupergraph('shop@current')).json()) as { id: string };
      expect((await fetchSupergraph('shop@current', `?after=${id}&wait=0`)).status).toBe(304);
    });

    it('answers a long-poll as soon as a new supergraph is published', async () => {
      await publish(t, 'shop@poll', 'products', repoSchema('products'));
      const { id } = (await (await fetchSupergraph('shop@poll')).json()) as { id: string };
      const started = Date.now();
      let answered = false;
      const poll = fetchSupergraph('shop@poll', `?after=${id}&wait=20`).then(async (res) => {
        answered = true;
        return { status: res.status, body: (await res.json()) as { id: string } };
      });
      await publish(t, 'shop@poll', 'inventory', repoSchema('inventory'));
      await waitFor(() => answered, { timeoutMs: 10_000, what: 'the long-poll to answer' });
      const result = await poll;
      expect(result.status).toBe(200);
      expect(result.body.id).not.toBe(id);
      expect(Date.now() - started).toBeLessThan(10_000);
    });
  });

  describe('usage ingestion', () => {
    it('refuses a malformed report naming the bad field', async () => {
      const res = await reportUsage(t, 'shop@current', [
        { signature: 'query A { a }', operationName: 'A', clientName: 'web', clientVersion: '1', coordinates: ['not a coordinate'], count: -1 },
      ]);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
      expect(body.errors[0]!.message).toContain('operations.0.coordinates.0');
      expect(body.errors[0]!.message).toContain('operations.0.count');
    });

    it('refuses a body that is not JSON', async () => {
      const res = await fetch(`${t.registry.baseUrl}/api/usage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.report}` },
        body: '{not json',
      });
      expect(res.status).toBe(400);
    });
  });

  describe('checks', () => {
    it('reports a subgraph that does not compose with its codes and locations', async () => {
      const res = await check('shop@current', 'type Query {\n  products: [Product!]!\n}\n');
      expect(res.data.checkSubgraph.passed).toBe(false);
      expect(res.data.checkSubgraph.compositionErrors.map((e: { code: string }) => e.code)).toContain('INVALID_GRAPHQL');
    });

    it('reports SDL that does not parse as INVALID_GRAPHQL with its line, not as a crash', async () => {
      const res = await check('shop@current', 'type Query {\n  products: [Product!\n');
      expect(res.errors).toBeUndefined();
      expect(res.data.checkSubgraph.compositionErrors).toEqual([
        { code: 'INVALID_GRAPHQL', message: expect.stringContaining('Syntax Error'), locations: [{ subgraph: 'products', line: 3, column: 1 }] },
      ]);
    });

    it('passes an unchanged subgraph', async () => {
      const res = await check('shop@current', repoSchema('products'));
      expect(res.data.checkSubgraph).toMatchObject({ passed: true, changes: [], createdBy: 'ci-all' });
    });

    it('fails the removal of Product.sku with no usage recorded', async () => {
      const res = await check('shop@nousage', productsWithoutSku());
      // shop@nousage has nothing published: the check composes the proposal alone and has nothing to diff.
      expect(res.data.checkSubgraph.passed).toBe(true);
      await publish(t, 'shop@nousage', 'products', repoSchema('products'));
      const second = await check('shop@nousage', productsWithoutSku());
      expect(second.data.checkSubgraph.passed).toBe(false);
      expect(second.data.checkSubgraph.changes).toContainEqual(
        expect.objectContaining({ code: 'FIELD_REMOVED', coordinate: 'Product.sku', blocking: true, affectedOperations: [] }),
      );
    });

    describe('with usage', () => {
      const names = { signature: 'query Names{products{edges{node{name}}}}', operationName: 'Names', coordinates: ['Query.products', 'ProductConnection.edges', 'ProductEdge.node', 'Product.name'] };

      it('fails the removal of Product.sku while the Catalog operation uses it, naming the operation and client', async () => {
        await publish(t, 'shop@used', 'products', repoSchema('products'));
        await publish(t, 'shop@used', 'inventory', repoSchema('inventory'));
        const sent = await reportUsage(t, 'shop@used', [
          { ...catalog, clientName: 'storefront', clientVersion: '1.4.0', count: 120 },
          { ...names, clientName: 'admin', clientVersion: '0.9', count: 30 },
        ]);
        expect(sent.status).toBe(202);
        expect(catalog.coordinates).toContain('Product.sku');

        const res = await check('shop@used', productsWithoutSku());
        expect(res.data.checkSubgraph.passed).toBe(false);
        expect(res.data.checkSubgraph.usage.totalRequests).toBe(150);
        expect(res.data.checkSubgraph.changes).toContainEqual({
          code: 'FIELD_REMOVED',
          severity: 'BREAKING',
          coordinate: 'Product.sku',
          blocking: true,
          affectedOperations: [{ name: 'Catalog', count: 120, clients: [{ name: 'storefront', version: '1.4.0', count: 120 }] }],
        });
      });

      it('adds up repeated reports', async () => {
        await reportUsage(t, 'shop@used', [{ ...catalog, clientName: 'storefront', clientVersion: '1.4.0', count: 5 }]);
        const res = await check('shop@used', productsWithoutSku());
        const sku = res.data.checkSubgraph.changes.find((c: { coordinate: string }) => c.coordinate === 'Product.sku');
        expect(sku.affectedOperations[0].count).toBe(125);
      });

      it('passes the same removal when no operation in the window uses sku, listing the change', async () => {
        await publish(t, 'shop@unused', 'products', repoSchema('products'));
        await reportUsage(t, 'shop@unused', [{ ...names, clientName: 'admin', clientVersion: '0.9', count: 30 }]);
        const res = await check('shop@unused', productsWithoutSku());
        expect(res.data.checkSubgraph.passed).toBe(true);
        expect(res.data.checkSubgraph.changes).toContainEqual(
          expect.objectContaining({ code: 'FIELD_REMOVED', coordinate: 'Product.sku', blocking: false, affectedOperations: [] }),
        );
      });

      it('counts only usage inside the validation window', async () => {
        await publish(t, 'shop@old', 'products', repoSchema('products'));
        const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
        await reportUsage(t, 'shop@old', [{ ...catalog, clientName: 'storefront', clientVersion: '1.0', count: 500 }], tenDaysAgo);
        await reportUsage(t, 'shop@old', [{ ...names, clientName: 'admin', clientVersion: '0.9', count: 30 }]);

        expect((await check('shop@old', productsWithoutSku())).data.checkSubgraph.passed).toBe(true);
        const wider = await check('shop@old', productsWithoutSku(), { validationPeriod: '14d' });
        expect(wider.data.checkSubgraph).toMatchObject({ passed: false, usage: { validationPeriod: '14d', totalRequests: 530 } });
      });

      it('applies the count and percentage thresholds', async () => {
        expect((await check('shop@used', productsWithoutSku(), { queryCountThreshold: 200 })).data.checkSubgraph.passed).toBe(true);
        expect((await check('shop@used', productsWithoutSku(), { queryPercentageThreshold: 90 })).data.checkSubgraph.passed).toBe(true);
        expect((await check('shop@used', productsWithoutSku(), { queryPercentageThreshold: 50 })).data.checkSubgraph.passed).toBe(false);
      });

      it('skips excluded clients and operations, from the check or from the variant settings', async () => {
        expect((await check('shop@used', productsWithoutSku(), { excludedClients: ['storefront'] })).data.checkSubgraph.passed).toBe(true);
        expect((await check('shop@used', productsWithoutSku(), { excludedOperationNames: ['Catalog'] })).data.checkSubgraph.passed).toBe(true);
        const configured = await t.gql(
          `mutation ($input: ConfigureChecksInput!) { configureChecks(input: $input) { excludedClients validationPeriod } }`,
          { input: { ref: 'shop@used', excludedClients: ['storefront@1.4.0'] } },
        );
        expect(configured.data.configureChecks).toEqual({ excludedClients: ['storefront@1.4.0'], validationPeriod: '7d' });
        const res = await check('shop@used', productsWithoutSku());
        expect(res.data.checkSubgraph).toMatchObject({ passed: true, usage: { excludedClients: ['storefront@1.4.0'] } });
      });

      it('stores each check run with its report', async () => {
        const res = await check('shop@used', productsWithoutSku(), { excludedOperationNames: ['Catalog'] });
        const stored = await t.gql(`query ($ref: String!, $id: ID!) { variant(ref: $ref) { checkRun(id: $id) { id passed changes { coordinate } } } }`, {
          ref: 'shop@used',
          id: res.data.checkSubgraph.id,
        });
        expect(stored.data.variant.checkRun).toMatchObject({ id: res.data.checkSubgraph.id, passed: true });
      });

      it('refuses more than a thousand excluded clients or operation names, in a check or in the settings, as bad input', async () => {
        const tooMany = Array.from({ length: 1_001 }, (_, i) => `client-${i}`);
        const checked = await check('shop@used', productsWithoutSku(), { excludedClients: tooMany });
        expect(checked.errors?.[0]).toMatchObject({ message: expect.stringContaining('at most 1000 excluded clients'), extensions: { code: 'BAD_USER_INPUT' } });
        const names = await check('shop@used', productsWithoutSku(), { excludedOperationNames: ['x'.repeat(501)] });
        expect(names.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        const configured = await t.gql(`mutation ($input: ConfigureChecksInput!) { configureChecks(input: $input) { excludedClients } }`, {
          input: { ref: 'shop@used', excludedClients: tooMany },
        });
        expect(configured.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        // A thousand is still a check that runs, weighed against the usage of every other client.
        const most = await check('shop@used', productsWithoutSku(), { excludedClients: tooMany.slice(0, 1_000) });
        expect(most.errors).toBeUndefined();
        expect(most.data.checkSubgraph.usage.excludedClients).toHaveLength(1_000);
        expect(most.data.checkSubgraph.usage.totalRequests).toBeGreaterThan(0);
      });

      it('refuses a malformed validation period or threshold', async () => {
        const res = await check('shop@used', productsWithoutSku(), { validationPeriod: 'a week' });
        expect(res.errors?.[0]).toMatchObject({ message: expect.stringContaining('is not a duration'), extensions: { code: 'BAD_USER_INPUT' } });
        const negative = await check('shop@used', productsWithoutSku(), { queryPercentageThreshold: 150 });
        expect(negative.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      });

      it('refuses a validation period over a year, in a check or in the settings, so no variant is left with one', async () => {
        const overAYear = { message: expect.stringContaining('the validation period is at most 365d'), extensions: { code: 'BAD_USER_INPUT' } };
        expect((await check('shop@used', productsWithoutSku(), { validationPeriod: '1000000000d' })).errors?.[0]).toMatchObject(overAYear);
        const configured = await t.gql(`mutation ($input: ConfigureChecksInput!) { configureChecks(input: $input) { validationPeriod } }`, {
          input: { ref: 'shop@used', validationPeriod: '366d' },
        });
        expect(configured.errors?.[0]).toMatchObject(overAYear);
        const year = await check('shop@used', productsWithoutSku(), { validationPeriod: '365d' });
        expect(year.data.checkSubgraph).toMatchObject({ usage: { validationPeriod: '365d' } });
        const settings = await t.gql(`query ($ref: String!) { variant(ref: $ref) { checkSettings { validationPeriod validationPeriodSeconds } } }`, { ref: 'shop@used' });
        expect(settings.data.variant.checkSettings).toEqual({ validationPeriod: '7d', validationPeriodSeconds: 604_800 });
        // A period stored before the bound reads as a year, and the variant's checks still run.
        const em = t.registry.orm.em.fork();
        const used = await em.findOneOrFail(Variant, { graph: 'shop', name: 'used' });
        await em.nativeUpdate(Variant, { id: used.id }, { checkSettings: { ...used.checkSettings, validationPeriodSeconds: 86_400_000_000_000 } });
        const stored = await check('shop@used', productsWithoutSku());
        expect(stored.errors).toBeUndefined();
        expect(stored.data.checkSubgraph.usage.validationPeriod).toBe('365d');
        await em.nativeUpdate(Variant, { id: used.id }, { checkSettings: used.checkSettings });
      });
    });
  });
});
