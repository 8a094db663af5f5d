import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@ficus/testkit';
import { repoRoot } from '../src/repo';
import { sampleSum, scrapeAll } from './metrics-scrape';
import { devAdmin, startTestStack, TestStack } from './stack-harness';

/**
 * Product.slug moves from legacy-shop (the monolith's API) to products with the `ficus override`
 * steps, under client traffic: 0 %, 25 %, 100 %, then gone from legacy-shop. Which owner served
 * each request is read from the gateway's count of requests it sent to legacy-shop (request
 * deduplication is off, so every client request that needs legacy-shop sends one).
 */

const SLUG = 'query Slug($id: ID!) { product(id: $id) { id slug } }';
const cli = path.join(repoRoot(), 'schema-registry', 'dist', 'src', 'cli.js');
const inFlight = 32;

let t: TestStack;
/** The slug of each product, as legacy-shop serves it before the move: both owners must answer the same. */
const slugs = new Map<string, string>();
/** Every request the test sends through the gateway, and those that did not get their slug. */
const traffic = { sent: 0, failed: [] as string[] };

async function ficus(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', FICUS_REGISTRY_URL: t.stack.registry.url, FICUS_API_KEY: t.stack.registry.apiKey };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** One client request; what is wrong with its answer goes to `traffic.failed`. */
async function askSlug(id: string): Promise<void> {
  traffic.sent += 1;
  const res = await t.request(SLUG, { id });
  const slug = res.data?.product?.slug;
  if (res.errors || slug !== slugs.get(id)) traffic.failed.push(JSON.stringify({ id, slug, errors: res.errors }));
}

/** Sends `total` requests, `inFlight` at a time, over the products round robin. */
async function sendSlugRequests(total: number): Promise<void> {
  const ids = [...slugs.keys()];
  let next = 0;
  const worker = async () => {
    while (next < total) await askSlug(ids[next++ % ids.length]!);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

const gatewayMetrics = async () => (await fetch(t.stack.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
const legacyFetches = (metrics: string) => sampleSum(metrics, 'graphql_gateway_subgraph_fetch_duration_seconds_count', { subgraph_name: 'legacy-shop' });

/** The share of `total` requests legacy-shop served, and how long they took. */
async function measure(total: number): Promise<{ legacyShare: number; seconds: number }> {
  const before = legacyFetches(await gatewayMetrics());
  const started = performance.now();
  await sendSlugRequests(total);
  const seconds = (performance.now() - started) / 1000;
  return { legacyShare: (legacyFetches(await gatewayMetrics()) - before) / total, seconds };
}

/**
 * Runs an override step (a `ficus` command) while clients keep asking, then waits until the
 * gateway serves the supergraph the step published.
 */
async function stepUnderTraffic(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stepping = true;
  const clients = (async () => {
    const ids = [...slugs.keys()];
    for (let i = 0; stepping; i += 1) await askSlug(ids[i % ids.length]!);
  })();
  try {
    const run = await ficus(...args, '--format', 'json');
    if (run.code === 0) {
      const id = (JSON.parse(run.stdout) as { data: { publish: { supergraph: { id: string } } } }).data.publish.supergraph.id;
      await waitFor(async () => sampleSum(await gatewayMetrics(), 'ficus_gateway_supergraph_info', { id }) === 1, { what: `the gateway to serve supergraph ${id}` });
    }
    return run;
  } finally {
    stepping = false;
    await clients;
  }
}

/** CPU seconds so far of the processes a slug request reaches. */
async function cpuSeconds(): Promise<Record<string, number>> {
  const all = await scrapeAll(t);
  return Object.fromEntries(['gateway', 'products', 'legacy-shop'].map((service) => [service, sampleSum(all[service]!, 'process_cpu_seconds_total')]));
}

const subgraphSdl = async (name: string): Promise<string> =>
  (await ficus('subgraph', 'fetch', t.stack.registry.graphRef, '--name', name)).stdout;

beforeAll(async () => {
  // Per-request logs off (LOG_LEVEL=warn): 14,000 requests should cost what serving them costs.
  t = await startTestStack('strangle', { SUBGRAPH_DEDUPLICATION: 'off', RATE_LIMIT: 'off', LOG_LEVEL: 'warn' });
  const adminToken = await t.signIn(devAdmin.email, devAdmin.password);
  for (let i = 1; i <= 8; i += 1) {
    const created = await t.send('CreateProduct', { input: { sku: `STR-${i}`, name: `Strangler fig ${i}`, price: 990, initialStock: 1 } }, adminToken);
    if (created.errors) throw new Error(`CreateProduct failed: ${JSON.stringify(created.errors)}`);
    slugs.set(created.data.createProduct.id as string, `strangler-fig-${i}-str-${i}`);
  }
  // legacy-shop learns of new products from products' events.
  await waitFor(
    async () => {
      const res = await t.request('{ legacyProducts(first: 50) { id slug } }');
      return [...slugs].every(([id, slug]) => res.data?.legacyProducts?.some((p: { id: string; slug: string }) => p.id === id && p.slug === slug));
    },
    { what: 'legacy-shop to hear of the new products' },
  );
}, 180_000);

afterAll(async () => {
  await t?.dispose();
});

describe('strangling Product.slug from legacy-shop to products', () => {
  it('starts at 0 %: legacy-shop serves every request', async () => {
    const run = await stepUnderTraffic('override', 'start', t.stack.registry.graphRef, 'Product.slug', '--from', 'legacy-shop', '--to', 'products', '--percent', '0');
    expect(run.code).toBe(0);
    expect(await subgraphSdl('products')).toContain('slug: String @override(from: "legacy-shop", label: "percent(0)")');

    const { legacyShare } = await measure(1_000);
    expect(legacyShare).toBe(1);
    expect(traffic.failed).toEqual([]);
  });

  it('at 25 %, products serves 25 ± 2 % of 10,000 requests, and no client sees an error', async () => {
    const run = await stepUnderTraffic('override', 'set', t.stack.registry.graphRef, 'Product.slug', '--percent', '25');
    expect(run.code).toBe(0);

    const total = 10_000;
    const before = await gatewayMetrics();
    const cpuBefore = await cpuSeconds();
    const { legacyShare, seconds } = await measure(total);
    const cpuAfter = await cpuSeconds();
    const productsShare = 1 - legacyShare;
    const cpuPerRequest = Object.entries(cpuAfter)
      .map(([service, cpu]) => `${service} ${(((cpu - cpuBefore[service]!) * 1000) / total).toFixed(2)} ms`)
      .join(', ');
    console.info(
      `percent(25): products served ${(productsShare * 100).toFixed(2)} % of ${total} requests in ${seconds.toFixed(1)} s ` +
        `(${Math.round(total / seconds)} requests/s); CPU per request: ${cpuPerRequest}`,
    );
    expect(productsShare).toBeGreaterThanOrEqual(0.23);
    expect(productsShare).toBeLessThanOrEqual(0.27);
    expect(traffic.failed).toEqual([]);

    // The per-label series show both owners serving, without errors, before anyone raises the share.
    const after = await gatewayMetrics();
    const served = (inForce: string, outcome = 'success') => {
      const labels = { label: 'percent(25)', in_force: inForce, outcome };
      const name = 'ficus_gateway_override_request_duration_seconds_count';
      return sampleSum(after, name, labels) - sampleSum(before, name, labels);
    };
    expect(served('true')).toBe(Math.round(productsShare * total));
    expect(served('false')).toBe(Math.round(legacyShare * total));
    expect(served('true') + served('false')).toBe(total);
    expect(served('true', 'subgraph') + served('false', 'subgraph')).toBe(0);
  });

  it('refuses to remove the field from legacy-shop while the override is partial', async () => {
    const run = await ficus('override', 'remove', t.stack.registry.graphRef, 'Product.slug');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PARTIAL_OVERRIDE_FIELD_REMOVED: Product.slug cannot leave subgraph "legacy-shop"');
    expect(run.stderr).toContain('nothing was published');
    expect(await subgraphSdl('legacy-shop')).toContain('slug: String');
  });

  it('at 100 % (a plain @override), products serves every request', async () => {
    const run = await stepUnderTraffic('override', 'finish', t.stack.registry.graphRef, 'Product.slug');
    expect(run.code).toBe(0);
    expect(await subgraphSdl('products')).toContain('slug: String @override(from: "legacy-shop")\n');

    const { legacyShare } = await measure(1_000);
    expect(legacyShare).toBe(0);
    expect(traffic.failed).toEqual([]);
  });

  it('after the removal from legacy-shop, products serves the field and legacy-shop the rest of its API', async () => {
    const run = await stepUnderTraffic('override', 'remove', t.stack.registry.graphRef, 'Product.slug');
    expect(run.code).toBe(0);
    expect(await subgraphSdl('legacy-shop')).not.toContain('slug');

    const { legacyShare } = await measure(1_000);
    expect(legacyShare).toBe(0);
    const legacy = await t.request('{ legacyProducts(first: 50) { id name } }');
    expect(legacy.errors).toBeUndefined();
    expect(legacy.data.legacyProducts).toHaveLength(slugs.size);
    // Every request of every step, those sent while the supergraph changed included.
    expect(traffic.failed).toEqual([]);
    expect(traffic.sent).toBeGreaterThan(13_000);
  });
});
