import { ApolloGateway, UplinkSupergraphManager } from '@apollo/gateway';
import { createCDNArtifactFetcher } from '@graphql-hive/core';
import { waitFor } from '@ficus/testkit';
import { publish, repoSchema, startTestRegistry, TestRegistry } from './registry-harness';

/** Apollo Router's uplink query (apollo-router/src/uplink/schema_query.graphql), as the router sends it. */
const ROUTER_UPLINK_QUERY = `query SupergraphSdlQuery($apiKey: String!, $graph_ref: String!, $ifAfterId: ID) {
    routerConfig(ref: $graph_ref, apiKey: $apiKey, ifAfterId: $ifAfterId) {
        __typename
        ... on RouterConfigResult {
            id
            supergraphSdl: supergraphSDL
            minDelaySeconds
        }
        ... on FetchError {
            code
            message
        }
    }
}
`;


describe.each(['sqlite', 'postgres'] as const)('supergraph delivery to other routers on %s', (kind) => {
  let t: TestRegistry;
  const ref = 'shop@routers';
  const uplink = async (variables: Record<string, unknown>, query = ROUTER_UPLINK_QUERY) => {
    const response = await fetch(`${t.registry.baseUrl}/api/uplink`, {
      method: 'POST',
      // What Apollo Router's reqwest client sends: a JSON body, no key in the headers.
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables, operationName: 'SupergraphSdlQuery' }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as any).data.routerConfig;
  };
  /** What Hive Gateway's supergraph fetcher sends: its CDN key header, its user agent, and the last ETag. */
  const hivePoll = (etag?: string, key: string | null = t.keys.read) =>
    fetch(`${t.registry.baseUrl}/api/cdn/${ref}/supergraph`, {
      headers: { 'user-agent': 'hive-client/0.x', ...(key ? { 'X-Hive-CDN-Key': key } : {}), ...(etag ? { 'If-None-Match': etag } : {}) },
    });

  beforeAll(async () => {
    t = await startTestRegistry(kind, `router_delivery_${kind}`, { UPLINK_MIN_DELAY_SECONDS: '1' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers an unpublished variant with UNKNOWN_REF on Uplink and 404 on the SDL URL', async () => {
    expect(await uplink({ apiKey: t.keys.read, graph_ref: ref })).toEqual({
      __typename: 'FetchError',
      code: 'UNKNOWN_REF',
      message: `${ref} has no supergraph yet: publish a subgraph to it first`,
    });
    expect((await hivePoll()).status).toBe(404);
  });

  it("gives Apollo Router's uplink query the latest supergraph, then Unchanged for that id, then the next one after a publish", async () => {
    const first = await publish(t, ref, 'products', repoSchema('products'));
    const fresh = await uplink({ apiKey: t.keys.read, graph_ref: ref });
    expect(fresh).toMatchObject({ __typename: 'RouterConfigResult', id: first.supergraph.id, minDelaySeconds: 1 });
    expect(fresh.supergraphSdl).toContain('type Product');

    expect(await uplink({ apiKey: t.keys.read, graph_ref: ref, ifAfterId: first.supergraph.id })).toEqual({ __typename: 'Unchanged' });
    const unchanged = await uplink(
      { apiKey: t.keys.read, graph_ref: ref, ifAfterId: first.supergraph.id },
      'query SupergraphSdlQuery($apiKey: String!, $graph_ref: String!, $ifAfterId: ID) { routerConfig(ref: $graph_ref, apiKey: $apiKey, ifAfterId: $ifAfterId) { __typename ... on Unchanged { id minDelaySeconds } } }',
    );
    expect(unchanged).toEqual({ __typename: 'Unchanged', id: first.supergraph.id, minDelaySeconds: 1 });

    const second = await publish(t, ref, 'inventory', repoSchema('inventory'));
    const next = await uplink({ apiKey: t.keys.read, graph_ref: ref, ifAfterId: first.supergraph.id });
    expect(next).toMatchObject({ __typename: 'RouterConfigResult', id: second.supergraph.id });
    expect(next.supergraphSdl).toContain('type Query');
  });

  it('refuses an unknown key (AUTHENTICATION_FAILED) and a key without the read scope (ACCESS_DENIED) on Uplink', async () => {
    expect(await uplink({ apiKey: 'ficus_nope', graph_ref: ref })).toMatchObject({ __typename: 'FetchError', code: 'AUTHENTICATION_FAILED' });
    expect(await uplink({ apiKey: t.keys.publish, graph_ref: ref })).toMatchObject({ __typename: 'FetchError', code: 'ACCESS_DENIED' });
    expect(await uplink({ apiKey: t.keys.read, graph_ref: 'not a ref' })).toMatchObject({ __typename: 'FetchError', code: 'UNKNOWN_REF' });
  });

  it("serves Hive Gateway's poll the SDL with an ETag, 304 while nothing changed, and the new SDL after a publish", async () => {
    const first = await hivePoll();
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/plain/);
    const etag = first.headers.get('etag')!;
    const sdl = await first.text();
    expect(sdl).toContain('type Product');
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);

    const again = await hivePoll(etag);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');

    await publish(t, ref, 'products', repoSchema('products').replace('type Product @key', '"A product."\ntype Product @key'));
    const changed = await hivePoll(etag);
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await changed.text()).not.toBe(sdl);
    expect((await hivePoll(changed.headers.get('etag')!)).status).toBe(304);
  });

  it("lets Hive's own CDN artifact fetcher (@graphql-hive/core, what Hive Gateway polls with) keep its SDL on 304 and take up a publish", async () => {
    const statuses: number[] = [];
    const fetcher = createCDNArtifactFetcher({
      endpoint: `${t.registry.baseUrl}/api/cdn/${ref}/supergraph`,
      accessKey: t.keys.read,
      // Hive's own fetch, wrapped only to see the statuses it got.
      fetch: async (input: any, init?: any) => {
        const response = await fetch(input, init);
        statuses.push(response.status);
        return response;
      },
    } as Parameters<typeof createCDNArtifactFetcher>[0]);
    try {
      const first = await fetcher.fetch();
      expect(first.contents).toContain('type Product');
      const again = await fetcher.fetch();
      expect(again.contents).toBe(first.contents);
      expect(statuses).toEqual([200, 304]);

      await publish(t, ref, 'products', repoSchema('products').replace('type Product @key', '"A product, from Hive."\ntype Product @key'));
      const next = await fetcher.fetch();
      expect(next.contents).toContain('"A product, from Hive."');
      expect(statuses).toEqual([200, 304, 200]);
    } finally {
      fetcher.dispose();
    }
  });

  it('refuses the SDL URL without a key (401) and with a key lacking the read scope (403)', async () => {
    expect((await hivePoll(undefined, null)).status).toBe(401);
    expect((await hivePoll(undefined, t.keys.publish)).status).toBe(403);
  });

  it("lets a real @apollo/gateway follow a variant through the Uplink endpoint and take up each publish", async () => {
    // @apollo/gateway refuses supergraphs with SECURITY features (the shop's @requiresScopes), so a plain subgraph here.
    const plainRef = 'plain@current';
    const catalog = (description: string) =>
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n"${description}"\ntype Product @key(fields: "id") { id: ID! sku: String! }\ntype Query { products: [Product!]! }\n`;
    await publish(t, plainRef, 'catalog', catalog('A product.'));
    const seen: string[] = [];
    const gateway = new ApolloGateway({
      supergraphSdl: new UplinkSupergraphManager({ uplinkEndpoints: [`${t.registry.baseUrl}/api/uplink`], apiKey: t.keys.read, graphRef: plainRef, maxRetries: 0 }),
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => seen.push(coreSupergraphSdl));
    try {
      await gateway.load();
      expect(seen.at(-1)).toContain('"A product."');
      // minDelaySeconds is 1 here, so the gateway asks again about once a second.
      await publish(t, plainRef, 'catalog', catalog('A product, followed.'));
      await waitFor(() => seen.at(-1)?.includes('"A product, followed."'), { what: 'the gateway to take up the publish' });
    } finally {
      await gateway.stop();
    }
  });
});
