import { graphql } from '@ficus/testkit';
import { Registry } from 'prom-client';
import { OverrideOutcomes } from '../src/observability/override-outcomes';
import { origin, startTestGateway, TestGateway } from './harness/test-gateway';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';

/** `legacy` serves Product.price; `pricing` takes half of it by progressive @override, and fails every time. */
const startLegacy = () =>
  startTestSubgraph(
    'legacy',
    `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query { product: Product }
    type Product @key(fields: "id") { id: ID! price: Int }
    `,
    { Query: { product: () => ({ id: 'p1' }) }, Product: { price: () => 1 } },
  );

const startFailingPricing = () =>
  startTestSubgraph(
    'pricing',
    `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])
    type Product @key(fields: "id") { id: ID! price: Int @override(from: "legacy", label: "percent(50)") }
    `,
    {
      Product: {
        __resolveReference: ({ id }: { id: string }) => ({ id }),
        price: () => {
          throw new Error('the new pricing is broken');
        },
      },
    },
  );

/** The `_count` sample of ficus_gateway_override_request_duration_seconds for these labels (0 when absent). */
function count(metrics: string, labels: { label: string; in_force: string; outcome: string }): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith('ficus_gateway_override_request_duration_seconds_count{') && wanted.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const subgraphs: TestSubgraph[] = [];
let gateway: TestGateway;

beforeAll(async () => {
  subgraphs.push(await startLegacy(), await startFailingPricing());
  gateway = await startTestGateway(subgraphs, { env: { RATE_LIMIT: 'off' } });
});

afterAll(async () => {
  await gateway?.dispose();
  for (const subgraph of subgraphs) await subgraph.stop();
});

describe('per-label override metrics', () => {
  it("split each operation's outcome and duration by label, so the new owner's errors show apart from the old owner's successes", async () => {
    const total = 400;
    let failed = 0;
    for (let i = 0; i < total; i += 1) {
      const res = await graphql(gateway.url, '{ product { id price } }');
      if (res.errors) failed += 1;
    }
    const metrics = await (await fetch(`${origin(gateway)}/metrics`)).text();

    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(total);
    expect(count(metrics, { label: 'percent(50)', in_force: 'true', outcome: 'subgraph' })).toBe(failed);
    expect(count(metrics, { label: 'percent(50)', in_force: 'true', outcome: 'success' })).toBe(0);
    expect(count(metrics, { label: 'percent(50)', in_force: 'false', outcome: 'success' })).toBe(total - failed);
    expect(count(metrics, { label: 'percent(50)', in_force: 'false', outcome: 'subgraph' })).toBe(0);
    expect(metrics).toMatch(/ficus_gateway_override_request_duration_seconds_bucket\{le="0\.005",service="gateway",label="percent\(50\)",in_force="false",outcome="success"\} \d+/);
  });

  it('observe nothing for a supergraph without labels', async () => {
    const plain = await startTestSubgraph('plain', `type Query { hello: String }`, { Query: { hello: () => 'hi' } });
    const other = await startTestGateway([plain], { env: { RATE_LIMIT: 'off' } });
    try {
      expect((await graphql(other.url, '{ hello }')).data).toEqual({ hello: 'hi' });
      const metrics = await (await fetch(`${origin(other)}/metrics`)).text();
      expect(metrics).not.toContain('ficus_gateway_override_request_duration_seconds_count{');
    } finally {
      await other.dispose();
      await plain.stop();
    }
  });
});

describe('the per-label override series', () => {
  it('keep at most 32 label values, the later ones counted as (other), and forget a draw once observed', async () => {
    const registry = new Registry();
    const outcomes = new OverrideOutcomes(registry);
    for (let i = 0; i < 40; i += 1) {
      const operation = {};
      outcomes.remember(operation, [`percent(${i})`], []);
      outcomes.observe(operation, 'success', 0.001);
      outcomes.observe(operation, 'success', 0.001);
    }
    const text = await registry.metrics();
    const labels = new Set([...text.matchAll(/_count\{label="([^"]+)"/g)].map((m) => m[1]));
    expect(labels.size).toBe(33);
    expect(count(text, { label: '(other)', in_force: 'true', outcome: 'success' })).toBe(8);
    expect(count(text, { label: 'percent(0)', in_force: 'true', outcome: 'success' })).toBe(1);
  });
});
