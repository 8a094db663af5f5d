import { graphql } from '@ficus/testkit';
import { origin, startTestGateway, TestGateway } from './harness/test-gateway';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';

/** `legacy` owns Product.price (1) until `pricing` (2) takes it over by progressive @override. */
const legacyPrice = 1;
const pricingPrice = 2;
const productIds = ['p1', 'p2'];
const products = `{ products { id price } }`;

const startLegacy = () =>
  startTestSubgraph(
    'legacy',
    `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query {
      products: [Product!]!
    }
    type Product @key(fields: "id") {
      id: ID!
      price: Int!
    }
    `,
    {
      Query: { products: () => productIds.map((id) => ({ id })) },
      Product: { price: () => legacyPrice },
    },
  );

const startPricing = (label: string) =>
  startTestSubgraph(
    'pricing',
    `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])
    type Product @key(fields: "id") {
      id: ID!
      price: Int! @override(from: "legacy", label: "${label}")
    }
    `,
    {
      Product: {
        __resolveReference: ({ id }: { id: string }) => ({ id }),
        price: () => pricingPrice,
      },
    },
  );

/** The price every product of one response has: both come from the same owner within a request. */
async function priceServed(gateway: TestGateway): Promise<number> {
  const res = await graphql(gateway.url, products);
  if (res.errors || !res.data) throw new Error(`the products query failed: ${JSON.stringify(res.errors)}`);
  const prices = new Set(res.data.products.map((p: { price: number }) => p.price));
  if (prices.size !== 1) throw new Error(`one response mixed owners: ${JSON.stringify(res.data)}`);
  return [...prices][0] as number;
}

/** Sends `total` queries, `inFlight` at a time, and counts those the new owner answered. */
async function countServedByPricing(gateway: TestGateway, total: number, inFlight: number): Promise<number> {
  let sent = 0;
  let byPricing = 0;
  const worker = async () => {
    while (sent < total) {
      sent += 1;
      if ((await priceServed(gateway)) === pricingPrice) byPricing += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return byPricing;
}

/** ficus_gateway_override_label_requests_total for one label and in_force value (0 when absent). */
async function overrideRequests(gateway: TestGateway, label: string, inForce: boolean): Promise<number> {
  const metrics = await (await fetch(`${origin(gateway)}/metrics`)).text();
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith('ficus_gateway_override_label_requests_total{') && l.includes(`label="${label}"`) && l.includes(`in_force="${inForce}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const subgraphs: TestSubgraph[] = [];
const gateways: TestGateway[] = [];
const unlimited = { RATE_LIMIT: 'off' };

afterAll(async () => {
  for (const gateway of gateways) await gateway.dispose();
  for (const subgraph of subgraphs) await subgraph.stop();
});

async function startOverride(label: string, env: Record<string, string> = {}): Promise<TestGateway> {
  const legacy = await startLegacy();
  const pricing = await startPricing(label);
  subgraphs.push(legacy, pricing);
  const gateway = await startTestGateway([legacy, pricing], { env: { ...unlimited, ...env } });
  gateways.push(gateway);
  return gateway;
}

describe('progressive @override', () => {
  it('sends a percent(25) field to its new owner for about a quarter of the requests, as its metric counts them', async () => {
    const gateway = await startOverride('percent(25)');
    const total = 10_000;

    const started = performance.now();
    const byPricing = await countServedByPricing(gateway, total, 20);
    const seconds = (performance.now() - started) / 1000;

    const share = byPricing / total;
    // Reported with the figures the test is about: the share drawn and how long 10,000 requests took.
    console.info(`percent(25): ${byPricing} of ${total} served by pricing (${(share * 100).toFixed(2)} %) in ${seconds.toFixed(1)} s`);
    // 2 points is over 4 standard deviations of a fair draw over 10,000 requests.
    expect(share).toBeGreaterThanOrEqual(0.23);
    expect(share).toBeLessThanOrEqual(0.27);
    expect(await overrideRequests(gateway, 'percent(25)', true)).toBe(byPricing);
    expect(await overrideRequests(gateway, 'percent(25)', false)).toBe(total - byPricing);
  });

  it('leaves a named label off by default, and OVERRIDE_LABELS switches it on for every request', async () => {
    const off = await startOverride('beta');
    const on = await startOverride('beta', { OVERRIDE_LABELS: 'beta' });

    for (let i = 0; i < 20; i += 1) {
      expect(await priceServed(off)).toBe(legacyPrice);
      expect(await priceServed(on)).toBe(pricingPrice);
    }
    expect([await overrideRequests(off, 'beta', true), await overrideRequests(off, 'beta', false)]).toEqual([0, 20]);
    expect([await overrideRequests(on, 'beta', true), await overrideRequests(on, 'beta', false)]).toEqual([20, 0]);
  });
});
