import { apiSchemaOf } from '../src';
import {
  CHECK,
  contractOperation,
  coordinatesOf,
  productsWithoutSku,
  publish,
  repoSchema,
  reportUsage,
  startTestRegistry,
  TestRegistry,
} from './registry-harness';
import { CHECK_WORKFLOW, checkConfig, checkVariables, roverCheck, roverRequest, SUBGRAPH_CHECK, SUBGRAPH_FETCH_ALL, WHO_AM_I } from './rover-protocol';

const SUPERGRAPH = /* GraphQL */ `query ($ref: String!) { variant(ref: $ref) { supergraph { id sdl } } }`;

/**
 * rover 0.41.0's documents sent as rover sends them, for what the real rover cannot reach here: no
 * key at all, check options it never sets (excluded clients, a window that does not end now, a
 * percentage other than 0 or 1), the check workflow of another graph, `supergraph compose` from a
 * graph ref (it needs a plugin rover downloads), and documents rover does not send. Everything
 * else is tested with rover itself in rover-binary.test.ts.
 */
describe.each(['sqlite', 'postgres'] as const)('rover’s documents against the registry on %s', (kind) => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry(kind, 'rover');
    await publish(t, 'shop@current', 'products', repoSchema('products'));
    await publish(t, 'shop@current', 'inventory', repoSchema('inventory'));
    const sdl = (await t.gql(SUPERGRAPH, { ref: 'shop@current' })).data.variant.supergraph.sdl;
    const operation = contractOperation('Catalog');
    const catalog = { signature: operation, operationName: 'Catalog', coordinates: coordinatesOf(operation, apiSchemaOf(sdl)) };
    expect(catalog.coordinates).toContain('Product.sku');

    await publish(t, 'shop@used', 'products', repoSchema('products'));
    const names = { signature: 'query Names{products{edges{node{name}}}}', operationName: 'Names', coordinates: ['Query.products', 'ProductConnection.edges', 'ProductEdge.node', 'Product.name'] };
    const used = await reportUsage(t, 'shop@used', [
      { ...catalog, clientName: 'storefront', clientVersion: '1.4.0', count: 120 },
      { ...names, clientName: 'admin', clientVersion: '0.9', count: 30 },
    ]);
    expect(used.status).toBe(202);
  });

  afterAll(async () => {
    await t?.stop();
  });

  /** What `ficus subgraph check` concludes for the same proposal (the registry's own API). */
  const ficusPassed = async (ref: string, sdl: string, options: Record<string, unknown> = {}): Promise<boolean> => {
    const res = await t.gql(CHECK, { input: { ref, name: 'products', sdl, ...options } });
    expect(res.errors).toBeUndefined();
    return res.data.checkSubgraph.passed;
  };

  it('answers whoami without a key with me: null, which rover reads as a bad key, and anything else with "Invalid credentials"', async () => {
    expect(await roverRequest(t, WHO_AM_I, {}, null)).toEqual({ status: 200, body: { data: { me: null } } });
    const check = await roverRequest(t, SUBGRAPH_CHECK, checkVariables('shop@current', 'products', repoSchema('products')), null);
    expect(check).toEqual({
      status: 200,
      body: { data: null, errors: [{ message: 'Unauthorized: Invalid credentials provided', extensions: { code: 'UNAUTHENTICATED' } }] },
    });
    // Only a query that asks for nothing but `me` gets past without a key.
    const sneaky = await roverRequest(t, `query ConfigWhoAmIQuery { me { id } graph(id: "shop") { variants { name } } }`, {}, null);
    expect(sneaky.body.errors).toEqual([expect.objectContaining({ message: 'Unauthorized: Invalid credentials provided' })]);
  });

  it('reads queryCountThresholdPercentage as a fraction of requests, as ficus reads its percent', async () => {
    // Catalog is 80 % of the window's requests.
    const above = await roverCheck(t, 'shop@used', 'products', productsWithoutSku(), checkConfig({ queryCountThresholdPercentage: 0.9 }));
    expect(above.verdict).toBe('passed');
    expect(await ficusPassed('shop@used', productsWithoutSku(), { queryPercentageThreshold: 90 })).toBe(true);

    const below = await roverCheck(t, 'shop@used', 'products', productsWithoutSku(), checkConfig({ queryCountThresholdPercentage: 0.7 }));
    expect(below.verdict).toBe('failed: check workflow');
    expect(await ficusPassed('shop@used', productsWithoutSku(), { queryPercentageThreshold: 70 })).toBe(false);
  });

  it('excludes clients by name as ficus does', async () => {
    const excluded = await roverCheck(t, 'shop@used', 'products', productsWithoutSku(), checkConfig({ excludedClients: [{ name: 'storefront', version: null, referenceID: null }] }));
    expect(excluded.verdict).toBe('passed');
    expect(excluded.workflow.tasks[1]).toMatchObject({ __typename: 'OperationsCheckTask', status: 'PASSED', result: { numberOfCheckedOperations: 1 } });
    expect(await ficusPassed('shop@used', productsWithoutSku(), { excludedClients: ['storefront'] })).toBe(true);
  });

  it('gives a clear GraphQL error for a window that does not end now, a percentage above 1, or options it does not support', async () => {
    for (const [config, message] of [
      [checkConfig({ from: '-604800', to: '-86400' }), 'config.to must be now'],
      [checkConfig({ ignoredOperations: ['abc'] }), 'ignoredOperations is not supported'],
      [checkConfig({ from: 'yesterday' }), 'config.from "yesterday"'],
      [checkConfig({ from: '-60479999999395200' }), 'the validation period is at most 365d'],
      [checkConfig({ queryCountThresholdPercentage: 5 }), 'must be a fraction between 0 and 1'],
    ] as const) {
      const res = await roverRequest(t, SUBGRAPH_CHECK, checkVariables('shop@used', 'products', productsWithoutSku(), config));
      expect(res.body.errors).toEqual([expect.objectContaining({ message: expect.stringContaining(message), extensions: { code: 'BAD_USER_INPUT' } })]);
    }
  });

  it('answers no check workflow for an unknown id or another graph’s run', async () => {
    const checked = await roverCheck(t, 'shop@current', 'products', repoSchema('products'));
    expect(checked.verdict).toBe('passed');
    const workflowId = checked.submitted.body.data.graph.variant.submitSubgraphCheckAsync.workflowID;
    for (const variables of [{ workflowId: 'no-such-run', graphId: 'shop' }, { workflowId, graphId: 'other' }]) {
      const res = await roverRequest(t, CHECK_WORKFLOW, variables);
      expect(res.body).toEqual({ data: { graph: { checkWorkflow: null } } });
    }
  });

  it('fetches every subgraph of a variant with the composition version, for supergraph compose from a graph ref', async () => {
    const res = await roverRequest(t, SUBGRAPH_FETCH_ALL, { graph_ref: 'shop@current' });
    expect(res.body.data.variant).toEqual({
      __typename: 'GraphVariant',
      subgraphs: [
        { name: 'inventory', url: 'http://127.0.0.1:4999/inventory', activePartialSchema: { sdl: repoSchema('inventory') } },
        { name: 'products', url: 'http://127.0.0.1:4999/products', activePartialSchema: { sdl: repoSchema('products') } },
      ],
      latestLaunch: { buildInput: { __typename: 'CompositionBuildInput', version: '2.14.4' } },
      sourceVariant: null,
    });
    const unknown = await roverRequest(t, SUBGRAPH_FETCH_ALL, { graph_ref: 'other@current' });
    expect(unknown.body).toEqual({ data: { variant: null } });
  });

  it('refuses a document nested thousands of levels deep or of too many tokens with the limit’s code, with or without a key', async () => {
    const deep = `{${'a{'.repeat(3000)}${'}'.repeat(3000)}}`;
    expect(await roverRequest(t, deep, {})).toEqual({
      status: 200,
      body: { errors: [{ message: expect.stringContaining('nests more than 500 levels deep'), extensions: { code: 'MAX_RECURSION_LIMIT' } }] },
    });
    expect(await roverRequest(t, deep, {}, null)).toEqual({ status: 200, body: expect.objectContaining({ data: null }) });
    const wide = `{ ${'me { id } '.repeat(4000)}}`;
    expect((await roverRequest(t, wide, {})).body.errors?.[0]?.extensions).toEqual({ code: 'MAX_TOKENS_LIMIT' });

    const graphql = (query: string) =>
      fetch(`${t.registry.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const deepOnGraphql = await graphql(deep);
    expect(deepOnGraphql.status).toBe(400);
    expect(((await deepOnGraphql.json()) as any).errors[0].extensions.code).toBe('MAX_RECURSION_LIMIT');
    const wideOnGraphql = await graphql(`{ ${'a: __typename '.repeat(6000)}}`);
    expect(wideOnGraphql.status).toBe(400);
    expect(((await wideOnGraphql.json()) as any).errors).toEqual([
      { message: 'parsing error: token limit reached, aborting lexing: the document has more than 15000 tokens', extensions: { code: 'MAX_TOKENS_LIMIT' } },
    ]);
    expect((await fetch(`${t.registry.baseUrl}/health`)).status).toBe(200);
  });

  it('answers what it does not support with a GraphQL error that says so', async () => {
    const res = await roverRequest(t, `query GraphProposals($id: ID!) { graph(id: $id) { proposals { totalCount } } }`, { id: 'shop' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('Cannot query field "proposals" on type "Graph". This registry answers only the part of Apollo’s Platform API'),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      }),
    ]);
  });
});
