import { graphql, recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import { LiveSubgraph, startLiveSubgraph } from './harness/live-subgraph';
import { origin, startTestGateway, TestGateway } from './harness/test-gateway';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';

const catalogSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    items: [Item!]!
    broken: Item
  }
  type Item @key(fields: "id") {
    id: ID!
  }
`;

let catalog: TestSubgraph;
let live: LiveSubgraph;
let gateway: TestGateway;

beforeAll(async () => {
  catalog = await startTestSubgraph('catalog', catalogSdl, {
    Query: {
      items: () => [{ id: 'i1' }],
      broken: () => {
        throw new Error('the catalog cannot say');
      },
    },
  });
  live = await startLiveSubgraph();
  gateway = await startTestGateway([catalog, live], { env: { MAX_ALIASES: '2' } });
});

afterAll(async () => {
  await gateway?.dispose();
  await catalog?.stop();
  await live?.stop();
});

/** The value of the sample `name{…}` whose labels include every one given, or 0 when there is none. */
async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${origin(gateway)}/metrics`)).text();
  const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('the gateway operation and subgraph fetch metrics', () => {
  it('times each operation by its name, type and outcome, and names anonymous and unvalidated ones apart', async () => {
    expect((await graphql(gateway.url, 'query Items { items { id } }')).errors).toBeUndefined();
    expect((await graphql(gateway.url, '{ items { id } }')).errors).toBeUndefined();
    const broken = await graphql(gateway.url, 'query Broken { broken { id } }');
    expect(broken.errors).toHaveLength(1);
    expect((await graphql(gateway.url, 'query Nope { nope }')).status).toBe(400);

    const durations = 'graphql_gateway_operation_duration_seconds_count';
    expect(await sample(durations, { graphql_operation_name: 'Items', graphql_operation_type: 'query', outcome: 'success' })).toBe(1);
    expect(await sample(durations, { graphql_operation_name: '(anonymous)', outcome: 'success' })).toBe(1);
    expect(await sample(durations, { graphql_operation_name: 'Broken', outcome: 'subgraph' })).toBe(1);
    expect(await sample(durations, { graphql_operation_name: '(unvalidated)', graphql_operation_type: 'unknown', outcome: 'invalid' })).toBe(1);
    const text = await (await fetch(`${origin(gateway)}/metrics`)).text();
    expect(text).not.toContain('graphql_operation_name="Nope"');
  });

  it('counts refusals by reason and keeps the older refusal series', async () => {
    const refused = await graphql(gateway.url, '{ a: items { id } b: items { id } c: items { id } }');
    expect(refused.status).toBe(400);
    expect(await sample('graphql_gateway_operation_refusals_total', { reason: 'limit', code: 'MAX_ALIASES_LIMIT' })).toBe(1);
    expect(await sample('ficus_gateway_operations_refused_total', { code: 'MAX_ALIASES_LIMIT' })).toBe(1);
  });

  it('times every subgraph fetch and counts a response carrying errors as a fetch error of that subgraph', async () => {
    const before = await sample('graphql_gateway_subgraph_fetch_duration_seconds_count', { subgraph_name: 'catalog' });
    const errorsBefore = await sample('graphql_gateway_subgraph_fetch_errors_total', { subgraph_name: 'catalog', error_type: 'graphql_error' });
    await graphql(gateway.url, 'query Broken { broken { id } }');
    expect(await sample('graphql_gateway_subgraph_fetch_duration_seconds_count', { subgraph_name: 'catalog' })).toBe(before + 1);
    expect(await sample('graphql_gateway_subgraph_fetch_errors_total', { subgraph_name: 'catalog', error_type: 'graphql_error' })).toBe(errorsBefore + 1);
  });

  it('counts the open subscriptions in the active subscriptions gauge, and no longer exports the subgraph operation histogram it never fed', async () => {
    const active = () => sample('graphql_gateway_active_subscriptions', {});
    expect(await active()).toBe(0);
    const client = webSocketClient(gateway.url, {});
    try {
      const subscribed = recordSubscription(client, 'subscription { userRenamed(id: "u1") { id } }');
      await waitFor(async () => (await active()) === 1, { what: 'the subscription to be counted' });
      expect(subscribed.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
    await waitFor(async () => (await active()) === 0, { what: 'the ended subscription to leave the gauge' });
    const text = await (await fetch(`${origin(gateway)}/metrics`)).text();
    expect(text).not.toContain('ficus_graphql_operation_seconds');
  });
});
