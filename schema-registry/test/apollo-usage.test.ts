import { gzipSync } from 'node:zlib';
import { ApolloGateway, UplinkSupergraphManager } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginUsageReporting } from '@apollo/server/plugin/usageReporting';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Report } from '@apollo/usage-reporting-protobuf';
import { waitFor } from '@ficus/testkit';
import { parse } from 'graphql';
import { CHECK, publish, startTestRegistry, TestRegistry } from './registry-harness';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

const catalogSdl = (withSku = true) => `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Product @key(fields: "id") {
  id: ID!
${withSku ? '  sku: String!\n' : ''}  name: String!
}
type Query { products: [Product!]! }
`;


describe.each(['sqlite', 'postgres'] as const)('usage reports from Apollo Server on %s', (kind) => {
  let t: TestRegistry;
  const ref = 'apollo@current';
  const ingress = (body: Buffer, headers: Record<string, string>) =>
    fetch(`${t.registry.baseUrl}/api/ingress/traces`, { method: 'POST', headers: { 'user-agent': 'ApolloServerPluginUsageReporting', ...headers }, body: new Uint8Array(body) });

  beforeAll(async () => {
    t = await startTestRegistry(kind, `apollo_usage_${kind}`, { UPLINK_MIN_DELAY_SECONDS: '1', BODY_LIMIT_BYTES: '200000' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("turns a check of a used field's removal from pass to fail once a real Apollo Server gateway has reported usage in protobuf", async () => {
    const subgraph = new ApolloServer({
      schema: buildSubgraphSchema({ typeDefs: parse(catalogSdl()), resolvers: { Query: { products: () => [{ id: '1', sku: 'S-1', name: 'Fig' }] } } }),
      logger: quiet,
    });
    const { url: subgraphUrl } = await startStandaloneServer(subgraph, { listen: { port: 0, host: '127.0.0.1' } });
    const reports: number[] = [];
    const gateway = new ApolloServer({
      gateway: new ApolloGateway({
        supergraphSdl: new UplinkSupergraphManager({ uplinkEndpoints: [`${t.registry.baseUrl}/api/uplink`], apiKey: t.keys.read, graphRef: ref, maxRetries: 0 }),
        logger: quiet,
      }),
      apollo: { key: t.keys.report, graphRef: ref },
      logger: quiet,
      plugins: [
        ApolloServerPluginUsageReporting({
          endpointUrl: t.registry.baseUrl,
          sendReportsImmediately: true,
          maxAttempts: 1,
          // Counts each report the registry accepted, so the test waits on that and not on time.
          fetcher: async (url, init) => {
            const response = await fetch(url, init as RequestInit);
            reports.push(response.status);
            return response as any;
          },
        }),
      ],
    });
    try {
      await publish(t, ref, 'catalog', catalogSdl(), subgraphUrl);
      const { url: gatewayUrl } = await startStandaloneServer(gateway, { listen: { port: 0, host: '127.0.0.1' } });

      const checkWithoutSku = async () => (await t.gql(CHECK, { input: { ref, name: 'catalog', sdl: catalogSdl(false) } })).data.checkSubgraph;
      const send = async (query: string, times: number) => {
        for (let i = 0; i < times; i++) {
          const response = await fetch(gatewayUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'apollographql-client-name': 'web', 'apollographql-client-version': '1.4.0' },
            body: JSON.stringify({ query }),
          });
          expect(((await response.json()) as any).errors).toBeUndefined();
        }
        await waitFor(() => reports.filter((s) => s === 200).length >= times, { what: `${reports.length + times} usage reports accepted`, timeoutMs: 20_000 });
      };

      // Without any usage a breaking change blocks; with usage that never reads sku it does not.
      expect((await checkWithoutSku()).passed).toBe(false);
      await send('query Names { products { id name } }', 2);
      const before = await checkWithoutSku();
      expect(before.usage.totalRequests).toBe(2);
      expect(before.passed).toBe(true);
      expect(before.changes).toContainEqual(expect.objectContaining({ code: 'FIELD_REMOVED', coordinate: 'Product.sku', blocking: false, affectedOperations: [] }));

      reports.length = 0;
      await send('query Catalog { products { id sku } }', 3);
      expect(reports.every((s) => s === 200)).toBe(true);

      const after = await checkWithoutSku();
      expect(after.passed).toBe(false);
      const removal = after.changes.find((c: any) => c.coordinate === 'Product.sku');
      expect(removal).toMatchObject({ code: 'FIELD_REMOVED', blocking: true });
      expect(removal.affectedOperations).toEqual([{ name: 'Catalog', count: 3, clients: [{ name: 'web', version: '1.4.0', count: 3 }] }]);
    } finally {
      await gateway.stop();
      await subgraph.stop();
    }
  });

  it('refuses a report without a key or with an unknown key (401) and with a key lacking the report scope (403)', async () => {
    const body = gzipSync(Report.encode({ header: { graphRef: ref } }).finish());
    expect((await ingress(body, { 'content-encoding': 'gzip' })).status).toBe(401);
    expect((await ingress(body, { 'content-encoding': 'gzip', 'x-api-key': 'ficus_unknown' })).status).toBe(401);
    expect((await ingress(body, { 'content-encoding': 'gzip', 'x-api-key': t.keys.read })).status).toBe(403);
    expect((await ingress(body, { 'content-encoding': 'gzip', 'x-api-key': t.keys.report })).status).toBe(200);
  });

  it('answers 400 to bytes that are not gzip or not a protobuf report, 413 to a body that unzips past the limit, and keeps serving', async () => {
    const key = { 'x-api-key': t.keys.report };
    expect((await ingress(Buffer.from('not gzip at all'), { ...key, 'content-encoding': 'gzip' })).status).toBe(400);
    const garbage = await ingress(gzipSync(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x12])), { ...key, 'content-encoding': 'gzip' });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const noRef = await ingress(gzipSync(Report.encode({ operationCount: 1 }).finish()), { ...key, 'content-encoding': 'gzip' });
    expect(noRef.status).toBe(400);
    // 1 MB of zeros gzips to about 1 kB: the limit holds for what it unzips to.
    const bomb = await ingress(gzipSync(Buffer.alloc(1_000_000)), { ...key, 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
    // A uint64 count near 2^64 made PostgreSQL's sum of the hour fail: the report was answered 500.
    const huge = Report.encode({
      header: { graphRef: ref },
      tracesPerQuery: { '# Huge\nquery Huge{products{id}}': { statsWithContext: [{ context: { clientName: 'web' }, queryLatencyStats: { requestCount: 1.8e19 } }] } },
    }).finish();
    const refused = await ingress(gzipSync(huge), { ...key, 'content-encoding': 'gzip' });
    expect([refused.status, ((await refused.json()) as any).errors[0].message]).toEqual([400, expect.stringMatching(/requests of one operation by one client; at most 1000000000$/)]);
    expect((await fetch(`${t.registry.baseUrl}/ready`)).status).toBe(200);
  });
});
