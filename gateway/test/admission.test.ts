import { errorCodes, graphql, recordHttpSubscription, recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { LiveSubgraph, startLiveSubgraph } from './harness/live-subgraph';
import { origin, startTestGateway, TestGateway } from './harness/test-gateway';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';

const catalogSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@listSize"])
  type Query {
    items(first: Int = 10): [Item!]! @listSize(slicingArguments: ["first"])
  }
  type Item @key(fields: "id") {
    id: ID!
  }
`;

let catalog: TestSubgraph;
let live: LiveSubgraph;
const gateways: TestGateway[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  catalog = await startTestSubgraph('catalog', catalogSdl, {
    Query: { items: (_: unknown, { first }: { first: number }) => Array.from({ length: Math.min(first, 3) }, (_, i) => ({ id: `i${i}` })) },
  });
  live = await startLiveSubgraph();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.dispose();
  await catalog?.stop();
  await live?.stop();
});

async function gatewayWith(env: Record<string, string>): Promise<TestGateway> {
  const gateway = await startTestGateway([catalog, live], { env: { MAX_COST: '50', MAX_ALIASES: '2', ...env } });
  gateways.push(gateway);
  return gateway;
}

const connect = (gateway: TestGateway) => {
  const client = webSocketClient(gateway.url, {});
  clients.push(client);
  return client;
};

async function metric(gateway: TestGateway, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${origin(gateway)}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((label) => l.includes(label)));
  return line ? Number(line.split(' ').pop()) : 0;
}

const threeAliases = '{ a: items(first: 1) { id } b: items(first: 1) { id } c: items(first: 1) { id } }';
const aliasedSubscription = 'subscription { userRenamed(id: "u1") { a: id b: id c: name } }';

describe('the request pipeline', () => {
  it('estimates cost before execution, refuses an operation over MAX_COST before any subgraph is called, and reports both costs in development', async () => {
    const gateway = await gatewayWith({});
    const served = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ items(first: 20) { id } }' }),
    });
    expect(await served.json()).toEqual({
      data: { items: [{ id: 'i0' }, { id: 'i1' }, { id: 'i2' }] },
      extensions: { cost: { estimated: 20, actual: 3 } },
    });

    const before = catalog.requests.length;
    const refused = await graphql(gateway.url, '{ items(first: 100) { id } }');
    expect(refused.status).toBe(400);
    expect(errorCodes(refused)).toEqual(['COST_ESTIMATED_TOO_EXPENSIVE']);
    expect(refused.errors![0]!.extensions).toMatchObject({ cost: { estimated: 100, max: 50 } });
    expect(catalog.requests.length).toBe(before);
    expect(await metric(gateway, 'ficus_gateway_operation_cost_count', 'kind="actual"')).toBe(1);
  });

  it('refuses the same operation the same way over HTTP POST, GET, graphql-ws and SSE, and counts each refusal by code', async () => {
    const gateway = await gatewayWith({});
    const post = await graphql(gateway.url, threeAliases);
    const get = await fetch(`${gateway.url}?query=${encodeURIComponent(threeAliases)}`, { headers: { 'apollo-require-preflight': 'true' } });
    const overSocket = recordSubscription(connect(gateway), aliasedSubscription);
    const overSse = recordHttpSubscription(gateway.url, 'sse', aliasedSubscription);
    await waitFor(() => overSocket.errors.length > 0 && overSse.closed, { what: 'both subscriptions to be refused' });

    expect([post.status, get.status, overSse.status]).toEqual([400, 400, 400]);
    expect(errorCodes(post)).toEqual(['MAX_ALIASES_LIMIT']);
    expect(((await get.json()) as { errors: { extensions: { code: string } }[] }).errors.map((e) => e.extensions.code)).toEqual(['MAX_ALIASES_LIMIT']);
    expect(overSocket.errors.map((e) => e.extensions?.code)).toEqual(['MAX_ALIASES_LIMIT']);
    expect(overSse.errors.map((e) => e.extensions?.code)).toEqual(['MAX_ALIASES_LIMIT']);
    expect(live.openStreams()).toBe(0);
    expect(await metric(gateway, 'ficus_gateway_operations_refused_total', 'code="MAX_ALIASES_LIMIT"')).toBe(4);
    // Refused, not served over the limit: that count is warn mode's.
    expect(await metric(gateway, 'ficus_gateway_operations_over_limit_total', 'limit="MAX_ALIASES_LIMIT"')).toBe(0);
  });

  it('serves operations over a limit in warn mode, and counts them', async () => {
    const gateway = await gatewayWith({ OPERATION_LIMITS_MODE: 'warn' });
    const served = await graphql(gateway.url, threeAliases);
    expect(served.status).toBe(200);
    expect(served.data).toEqual({ a: [{ id: 'i0' }], b: [{ id: 'i0' }], c: [{ id: 'i0' }] });
    expect(await metric(gateway, 'ficus_gateway_operations_over_limit_total', 'limit="MAX_ALIASES_LIMIT"')).toBe(1);
  });

  it("spends one rate budget per client whatever the transport, and refuses beyond it with 429 and Retry-After", async () => {
    const gateway = await gatewayWith({ RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_MS: '86400000' });
    for (let i = 0; i < 2; i++) expect((await graphql(gateway.url, '{ items(first: 1) { id } }')).status).toBe(200);
    const subscribed = recordSubscription(connect(gateway), 'subscription { userRenamed(id: "u2") { id } }');
    await waitFor(() => live.openStreams() === 1, { what: 'the third operation, a subscription, to be served' });

    const refused = await graphql(gateway.url, '{ items(first: 1) { id } }');
    const refusedSubscription = recordSubscription(connect(gateway), 'subscription { userRenamed(id: "u3") { id } }');
    await waitFor(() => refusedSubscription.errors.length > 0, { what: 'the fourth operation to be refused' });

    expect(refused.status).toBe(429);
    expect(errorCodes(refused)).toEqual(['REQUEST_RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refusedSubscription.errors.map((e) => e.extensions?.code)).toEqual(['REQUEST_RATE_LIMITED']);
    expect(subscribed.errors).toEqual([]);
  });
});
