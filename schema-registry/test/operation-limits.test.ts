import { measureOperation } from '@ficus/kit/limits';
import { parse } from 'graphql';
import * as cliOperations from '../src/cli/operations';
import { registryOperationLimits } from '../src/http/request-limits';
import { publish, repoSchema, startTestRegistry, TestRegistry } from './registry-harness';
import * as roverDocuments from './rover-protocol';

/** `count` aliases of the variant's supergraph SDL, in one operation. */
const supergraphs = (count: number) =>
  `query Supergraphs { variant(ref: "shop@current") { ${Array.from({ length: count }, (_, i) => `s${i}: supergraph { sdl }`).join(' ')} } }`;

/** Apollo Router's Uplink query with `count` aliases of `routerConfig`. */
const routerConfigs = (count: number) =>
  `query Configs($key: String!) { ${Array.from({ length: count }, (_, i) => `c${i}: routerConfig(ref: "shop@current", apiKey: $key) { ... on RouterConfigResult { supergraphSDL } }`).join(' ')} }`;

/** Rover's `supergraph fetch` with `count` aliases of the variant. */
const roverFetches = (count: number) =>
  `query Fetches { ${Array.from({ length: count }, (_, i) => `v${i}: variant(ref: "shop@current") { ... on GraphVariant { latestLaunch { build { result { ... on BuildSuccess { coreSchema { coreDocument } } } } } } }`).join(' ')} }`;

describe('the registry holding operations to its limits', () => {
  let t: TestRegistry;
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${t.registry.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
  };

  beforeAll(async () => {
    t = await startTestRegistry('sqlite', 'operation_limits');
    await publish(t, 'shop@current', 'products', repoSchema('products'));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("keeps every operation the CLI and rover send within the limits, so the limits refuse no client's own", () => {
    const documents = [...Object.values(cliOperations), ...Object.values(roverDocuments)].flatMap((value: unknown) => (typeof value === 'string' ? [value] : []));
    expect(documents.length).toBeGreaterThan(15);
    for (const text of documents) {
      const measures = measureOperation(parse(text));
      expect(measures.depth).toBeLessThanOrEqual(registryOperationLimits.maxDepth);
      expect(measures.aliases).toBeLessThanOrEqual(registryOperationLimits.maxAliases!);
    }
  });

  it('answers 30 aliases of the supergraph on /graphql and refuses 31 with 400 MAX_ALIASES_LIMIT before resolving any', async () => {
    const within = await post('/graphql', { query: supergraphs(30) }, { authorization: `Bearer ${t.keys.read}` });
    expect(within.status).toBe(200);
    expect(Object.keys(within.body.data.variant)).toHaveLength(30);

    const over = await post('/graphql', { query: supergraphs(31) }, { authorization: `Bearer ${t.keys.read}` });
    expect(over).toEqual({
      status: 400,
      body: { errors: [{ message: 'the operation selects 31 fields under aliases, more than the 30 this service allows', extensions: { code: 'MAX_ALIASES_LIMIT' } }] },
    });
  });

  it('counts aliases in fragments once for each place they are spread', async () => {
    const spread = `query Spread { variant(ref: "shop@current") { ...Sdls ...Sdls ... on Variant { ...More } } }
      fragment Sdls on Variant { ${Array.from({ length: 20 }, (_, i) => `s${i}: supergraph { sdl }`).join(' ')} }
      fragment More on Variant { ${Array.from({ length: 11 }, (_, i) => `m${i}: supergraph { sdl }`).join(' ')} }`;
    const over = await post('/graphql', { query: spread }, { authorization: `Bearer ${t.keys.read}` });
    expect(over.status).toBe(400);
    expect(over.body.errors?.map((e) => e.extensions?.code)).toEqual(['MAX_ALIASES_LIMIT']);
  });

  it("refuses 31 aliases on Apollo Uplink's endpoint with MAX_ALIASES_LIMIT and answers 30", async () => {
    const within = await post('/api/uplink', { query: routerConfigs(30), variables: { key: t.keys.read } });
    expect(within.status).toBe(200);
    expect(within.body.data.c29.supergraphSDL).toContain('type Product');

    const over = await post('/api/uplink', { query: routerConfigs(31), variables: { key: t.keys.read } });
    expect(over.status).toBe(200);
    expect(over.body).toEqual({ errors: [{ message: expect.stringContaining('31 fields under aliases'), extensions: { code: 'MAX_ALIASES_LIMIT' } }] });
  });

  it("gives every error on Apollo Uplink's endpoint a code: text, validation, variables and the lexical limits", async () => {
    const codes = async (body: unknown) => (await post('/api/uplink', body)).body.errors?.map((e) => e.extensions?.code);
    expect(await codes({ query: '{ routerConfig(' })).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(await codes({ query: '{ routerConfig(ref: 1, apiKey: []) { __typename } }' })).toEqual(['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED']);
    expect(await codes({ query: 'query($k: String!) { routerConfig(ref: "x", apiKey: $k) { __typename } }', variables: { k: 7 } })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ query: 'query($k: String!) { routerConfig(ref: "x", apiKey: $k) { __typename } }' })).toEqual(['BAD_USER_INPUT']);
    expect(await codes({ query: `{${'a{'.repeat(600)}${'}'.repeat(600)}}` })).toEqual(['MAX_RECURSION_LIMIT']);
    expect(await codes({ query: `{ ${'a '.repeat(16_000)}}` })).toEqual(['MAX_TOKENS_LIMIT']);
    expect(await codes({ query: 'query($k: String!) { routerConfig(ref: "x\\u0000", apiKey: $k) { __typename } }', variables: { k: 'k' } })).toEqual(['BAD_USER_INPUT']);
  });

  it("refuses 31 aliases on rover's endpoint with MAX_ALIASES_LIMIT and answers 30", async () => {
    const headers = { 'x-api-key': t.keys.read };
    const within = await post('/api/graphql', { query: roverFetches(30) }, headers);
    expect(within.body.errors).toBeUndefined();
    expect(within.body.data.v29.latestLaunch.build.result.coreSchema.coreDocument).toContain('type Product');

    const over = await post('/api/graphql', { query: roverFetches(31) }, headers);
    // Each root field null in data, so that rover prints the reason (src/rover-api/route.ts, `refusal`).
    const nulls = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`v${i}`, null]));
    expect(over).toEqual({ status: 200, body: { data: nulls, errors: [{ message: expect.stringContaining('31 fields under aliases'), extensions: { code: 'MAX_ALIASES_LIMIT' } }] } });
  });

  it('answers a subscription, which no registry endpoint serves, with BAD_USER_INPUT, not an internal error', async () => {
    for (const path of ['/graphql', '/api/uplink']) {
      const answer = await post(path, { query: 'subscription { __typename }' });
      expect(answer.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it("answers a variable of the wrong type on rover's endpoint with BAD_USER_INPUT, not an internal error", async () => {
    const wrongType = await post('/api/graphql', { query: roverDocuments.SUBGRAPH_FETCH_ALL, variables: { graph_ref: { not: 'an id' } } }, { 'x-api-key': t.keys.read });
    expect(wrongType).toEqual({
      status: 200,
      body: { data: { variant: null }, errors: [{ message: expect.stringContaining('$graph_ref'), locations: expect.any(Array), extensions: { code: 'BAD_USER_INPUT' } }] },
    });
  });
});
