import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { waitFor } from '@ficus/testkit';
import { Report } from '@apollo/usage-reporting-protobuf';
import { CHECK, productsWithoutSku, publish, repoSchema, reportUsage, startTestRegistry, TestRegistry } from './registry-harness';

/** Reads Product.sku, so removing sku breaks it. */
const skuCoordinates = ['Query.products', 'ProductConnection.edges', 'ProductEdge.node', 'Product.sku'];

/** `n` distinct operations (Op0 … Op<n-1>), Op<i> sent i + 1 times, by two clients in turn. */
function distinctOperations(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    signature: `query Op${i}{products{edges{node{sku}}}}`,
    operationName: `Op${i}`,
    clientName: i % 2 === 0 ? 'web' : 'ios',
    clientVersion: '1.0',
    coordinates: skuCoordinates,
    count: i + 1,
  }));
}

const requestsOf = (n: number) => (n * (n + 1)) / 2;

/**
 * The gateway sends up to 1,000 distinct operations per batch (and the API takes 10,000): SQLite
 * refused a multi-row insert of more than 500 (`too many terms in compound SELECT`), so a busy
 * gateway's reports, and their resends, failed with 500.
 */
describe.each(['sqlite', 'postgres'] as const)('usage batches as big as a busy gateway sends, on %s', (kind) => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry(kind, `usage_batches_${kind}`);
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** A check of Product.sku's removal on `ref`: the operations it names as using sku, and the window's requests. */
  async function skuRemovalCheck(ref: string) {
    const res = await t.gql(CHECK, { input: { ref, name: 'products', sdl: productsWithoutSku() } });
    expect(res.errors).toBeUndefined();
    const check = res.data.checkSubgraph;
    const removal = check.changes.find((c: { coordinate: string }) => c.coordinate === 'Product.sku');
    const counts = new Map<string, number>(removal.affectedOperations.map((op: { name: string; count: number }) => [op.name, op.count]));
    return { passed: check.passed as boolean, totalRequests: check.usage.totalRequests as number, counts };
  }

  function expectEveryOperation(counts: Map<string, number>, n: number) {
    expect(counts.size).toBe(n);
    for (let i = 0; i < n; i++) expect([`Op${i}`, counts.get(`Op${i}`)]).toEqual([`Op${i}`, i + 1]);
  }

  it('refuses usage dated more than five minutes ahead, which would count in every check until then', async () => {
    const ref = 'shop@ahead';
    await publish(t, ref, 'products', repoSchema('products'));
    const inTheYear2999 = await reportUsage(t, ref, distinctOperations(3), new Date('2999-12-06T00:00:00Z'));
    expect(inTheYear2999.status).toBe(400);
    expect(await inTheYear2999.json()).toMatchObject({ errors: [{ message: expect.stringMatching(/^the usage window starts at 2999-12-06T00:00:00\.000Z, after the registry's clock/), extensions: { code: 'BAD_USER_INPUT' } }] });
    const aMinuteAhead = await reportUsage(t, ref, distinctOperations(2), new Date(Date.now() + 60_000));
    expect(aMinuteAhead.status).toBe(202);
    expect((await skuRemovalCheck(ref)).totalRequests).toBe(requestsOf(2));
  });

  it.each([1_000, 5_000])('accepts a batch of %i distinct operations, and a check then sees every one', async (n) => {
    const ref = `shop@batch${n}`;
    await publish(t, ref, 'products', repoSchema('products'));
    const response = await reportUsage(t, ref, distinctOperations(n));
    expect([response.status, await response.json()]).toEqual([202, { accepted: n }]);

    const check = await skuRemovalCheck(ref);
    expect(check).toMatchObject({ passed: false, totalRequests: requestsOf(n) });
    expectEveryOperation(check.counts, n);

    // A resend counts again, as documented: the second batch of the same operations is stored too.
    expect((await reportUsage(t, ref, distinctOperations(n))).status).toBe(202);
    expect((await skuRemovalCheck(ref)).totalRequests).toBe(2 * requestsOf(n));
  });

  it('accepts an Apollo Server usage report (protobuf) of 1,000 distinct operations through the same store', async () => {
    const ref = 'shop@apollo';
    const n = 1_000;
    await publish(t, ref, 'products', repoSchema('products'));
    const report = Report.encode({
      header: { graphRef: ref },
      endTime: { seconds: Math.floor(Date.now() / 1000) },
      tracesPerQuery: Object.fromEntries(
        distinctOperations(n).map((op) => [
          `# ${op.operationName}\n${op.signature}`,
          {
            statsWithContext: [{ context: { clientName: op.clientName, clientVersion: op.clientVersion }, queryLatencyStats: { requestCount: op.count } }],
            referencedFieldsByType: {
              Query: { fieldNames: ['products'] },
              ProductConnection: { fieldNames: ['edges'] },
              ProductEdge: { fieldNames: ['node'] },
              Product: { fieldNames: ['sku'] },
            },
          },
        ]),
      ),
    }).finish();
    const response = await fetch(`${t.registry.baseUrl}/api/ingress/traces`, {
      method: 'POST',
      headers: { 'content-encoding': 'gzip', 'x-api-key': t.keys.report },
      body: new Uint8Array(gzipSync(report)),
    });
    expect(response.status).toBe(200);

    const check = await skuRemovalCheck(ref);
    expect(check).toMatchObject({ passed: false, totalRequests: requestsOf(n) });
    expectEveryOperation(check.counts, n);
  });
});

describe('a usage batch on PostgreSQL', () => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry('postgres', 'usage_batch_atomic');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is stored all or nothing: a batch whose last operation the database refuses leaves no usage behind', async () => {
    const ref = 'shop@atomic';
    await publish(t, ref, 'products', repoSchema('products'));
    const operations = distinctOperations(1_000);
    // PostgreSQL refuses a NUL character in text. A client name is written with the counts, the
    // batch's last rows: every operation and most counts are written before the refusal.
    operations[999] = { ...operations[999]!, clientName: 'ios\u0000' };
    const refused = await reportUsage(t, ref, operations);
    expect(refused.ok).toBe(false);

    const res = await t.gql(CHECK, { input: { ref, name: 'products', sdl: productsWithoutSku() } });
    expect(res.data.checkSubgraph.usage.totalRequests).toBe(0);
  });
});

describe('a usage report from a sender without a key', () => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry('sqlite', 'usage_key_first', { USAGE_INGEST_CONCURRENCY: '1' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.each(['/api/usage', '/api/ingress/traces'])('is refused at %s before its body is read, so a trickling one holds no slot the gateways\' reports wait for', async (path) => {
    const { hostname, port } = new URL(t.registry.baseUrl);
    const trickling = net.connect(Number(port), hostname);
    let answer = '';
    trickling.on('data', (chunk) => (answer += chunk));
    trickling.on('error', () => {});
    trickling.write(`POST ${path} HTTP/1.1\r\nHost: registry\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    try {
      await waitFor(() => answer.length > 0, { timeoutMs: 5_000, what: 'an answer to the keyless report, its body still unsent' });
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);

      const report = await reportUsage(t, 'keyless@current', distinctOperations(3));
      expect(report.status).toBe(202);
    } finally {
      trickling.destroy();
    }
  });
});
