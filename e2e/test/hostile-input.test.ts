import { randomBytes } from 'node:crypto';
import { errorCodes, graphql, GraphQLResponse } from '@ficus/testkit';
import { startTestStack, TestStack } from './stack-harness';

/** The most resident memory any service may hold after the hostile requests (each starts at 100–200 MB). */
const memoryBoundBytes = 400 * 1024 * 1024;

/** `order(id) { customer { orders(first: 50) { edges { node { customer { orders … } } } } } }`, `levels` times. */
function nestedOrders(levels: number, first = 50): string {
  let inner = 'id status';
  for (let i = 0; i < levels; i++) inner = `customer { orders(first: ${first}) { edges { node { ${inner} } } } }`;
  return `query Nested { order(id: "00000000-0000-0000-0000-000000000000") { ${inner} } }`;
}

const aliased = (count: number, field: string) => Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join('\n');

describe('hostile input through the gateway', () => {
  let stack: TestStack;
  let adminToken: string;

  beforeAll(async () => {
    stack = await startTestStack('hostile');
    adminToken = await stack.signIn('admin@example.com', 'admin');
  });
  afterAll(() => stack?.dispose());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(stack.stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  /** GraphQL operations each subgraph has served so far, from its /metrics. */
  async function subgraphOperations(): Promise<number> {
    let total = 0;
    for (const [name, url] of Object.entries(stack.stack.urls)) {
      if (name === 'gateway' || name === 'registry') continue;
      const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
      for (const line of text.split('\n')) {
        if (line.startsWith('ficus_graphql_operation_seconds_count')) total += Number(line.split(' ').pop());
      }
    }
    return total;
  }

  it('refuses a query nested 20 levels before any subgraph is called, with MAX_DEPTH_LIMIT', async () => {
    const before = await subgraphOperations();
    const responses = await Promise.all(Array.from({ length: 20 }, () => stack.request(nestedOrders(20), {}, adminToken)));
    for (const res of responses) {
      expect(res.status).toBe(400);
      expect(errorCodes(res)).toContain('MAX_DEPTH_LIMIT');
    }
    expect(await subgraphOperations()).toBe(before);
  });

  it('refuses 2,000 aliases, and 50 aliased signIn fields, before any subgraph is called', async () => {
    const before = await subgraphOperations();
    // 2,000 aliased products(first: 100) are 22,000 tokens: refused before they are parsed.
    const products = await stack.request(`{ ${aliased(2000, 'products(first: 100) { totalCount }')} }`);
    expect(products.status).toBe(400);
    expect(errorCodes(products)).toEqual(['MAX_TOKENS_LIMIT']);
    const typenames = await stack.request(`{ ${aliased(2000, '__typename')} }`);
    expect(typenames.status).toBe(400);
    expect(errorCodes(typenames)).toContain('MAX_ALIASES_LIMIT');

    const signIns = await stack.request(`mutation { ${aliased(50, 'signIn(email: "admin@example.com", password: "guess") { token }')} }`);
    expect(signIns.status).toBe(400);
    expect(errorCodes(signIns)).toEqual(expect.arrayContaining(['MAX_ALIASES_LIMIT', 'MAX_ROOT_FIELDS_LIMIT']));
    expect(await subgraphOperations()).toBe(before);
  });

  it('refuses more root fields, and more directives on a field, than the limits', async () => {
    const roots = await stack.request(`{ ${aliased(21, 'products(first: 1) { totalCount }')} }`);
    expect(roots.status).toBe(400);
    expect(errorCodes(roots)).toEqual(['MAX_ROOT_FIELDS_LIMIT']);

    const directives = await stack.request(`{ products(first: 1) ${'@include(if: true) '.repeat(20)} { totalCount } }`);
    expect(directives.status).toBe(400);
    expect(errorCodes(directives)).toContain('MAX_DIRECTIVES_LIMIT');
  });

  it('refuses documents of too many tokens or nested too deep before parsing them whole', async () => {
    const tokens = await stack.request(`{ ${'__typename '.repeat(20_000)}}`);
    expect(tokens.status).toBe(400);
    expect(errorCodes(tokens)).toEqual(['MAX_TOKENS_LIMIT']);

    const recursion = await stack.request(`${'{ a '.repeat(100_000)}${'}'.repeat(100_000)}`);
    expect(recursion.status).toBe(400);
    expect(errorCodes(recursion)).toEqual(['MAX_RECURSION_LIMIT']);
  });

  it('refuses a cost bomb of nested first: 100 lists with COST_ESTIMATED_TOO_EXPENSIVE', async () => {
    const before = await subgraphOperations();
    const bomb = await stack.request(nestedOrders(2, 100), {}, adminToken);
    expect(bomb.status).toBe(400);
    expect(errorCodes(bomb)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect(await subgraphOperations()).toBe(before);
  });

  it('answers malformed requests with 4xx and a code', async () => {
    const cases: [string, Promise<Response>, number, string][] = [
      ['not JSON', post('{ "query": '), 400, 'BAD_REQUEST'],
      ['a query that is not a string', post(JSON.stringify({ query: 42 })), 400, 'BAD_REQUEST'],
      ['variables that are not an object', post(JSON.stringify({ query: '{ products { totalCount } }', variables: [1] })), 400, 'BAD_REQUEST'],
      ['a batch', post(JSON.stringify([{ query: '{ products { totalCount } }' }])), 400, 'BATCHING_NOT_ENABLED'],
      ['broken syntax', post(JSON.stringify({ query: '{ products(first: ' })), 400, 'GRAPHQL_PARSE_FAILED'],
      ['an unknown field', post(JSON.stringify({ query: '{ shoeSize }' })), 400, 'GRAPHQL_VALIDATION_FAILED'],
      [
        'variables of the wrong type',
        post(JSON.stringify({ query: 'query($first: Int) { products(first: $first) { totalCount } }', variables: { first: 'ten' } })),
        400,
        'BAD_USER_INPUT',
      ],
      ['a body over the limit', post(JSON.stringify({ query: `{ products { totalCount } } #${'x'.repeat(1_100_000)}` })), 413, 'BAD_REQUEST'],
      [
        'an unknown persisted id',
        post(JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: randomBytes(32).toString('hex') } } })),
        200,
        'PERSISTED_QUERY_NOT_FOUND',
      ],
    ];
    for (const [what, sent, status, code] of cases) {
      const res = await sent;
      const body = (await res.json()) as Pick<GraphQLResponse, 'errors'>;
      expect({ what, status: res.status, codes: errorCodes({ ...body, status: res.status, headers: res.headers }) }).toEqual({ what, status, codes: [code] });
    }
  });

  it("hands on a subgraph's own refusal with its code, without a stack trace or the subgraph's address", async () => {
    const res = await stack.request('{ products(first: 1000) { totalCount } }');
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.message).toBe('first must be between 0 and 100');
    const text = JSON.stringify(res.errors);
    expect(text).not.toContain('stacktrace');
    expect(text).not.toContain(new URL(stack.stack.urls.products!).host);
  });

  it('leaves every service healthy, within its memory bound, and serving normal traffic afterwards', async () => {
    for (const [name, url] of Object.entries(stack.stack.urls)) {
      const base = url.replace(/\/graphql$/, '');
      const health = await fetch(`${base}/health`);
      expect({ name, status: health.status }).toEqual({ name, status: 200 });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const rss = Number(/^process_resident_memory_bytes(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1]);
      expect({ name, withinBound: rss > 0 && rss < memoryBoundBytes }).toEqual({ name, withinBound: true });
    }
    const catalog = await stack.send('Catalog', { first: 5 });
    expect(catalog.errors).toBeUndefined();
    expect(catalog.data.products.totalCount).toBeGreaterThanOrEqual(0);
    const me = await graphql(stack.stack.gatewayUrl, '{ me { email } }', {}, { authorization: `Bearer ${adminToken}` });
    expect(me.data).toEqual({ me: { email: 'admin@example.com' } });
  });
});
