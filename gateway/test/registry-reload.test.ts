import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorCodes, graphql, waitFor } from '@ficus/testkit';
import { supergraphCacheFile } from '../src';
import { Gate, startAccountsSubgraph } from './harness/shop-subgraphs';
import { graphRef, RegistryGateway, startRegistryGateway, TestRegistry } from './harness/test-registry';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';

const itemFields = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6'];

/** The catalog SDL publishing the first `count` item fields; the running subgraph resolves them all. */
const catalogSdl = (count: number) => `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { items: [Item!]! }
  type Item { id: ID! ${itemFields.slice(0, count).map((f) => `${f}: String!`).join(' ')} }
`;

let registry: TestRegistry;
let accounts: TestSubgraph;
let catalog: TestSubgraph;
let gateway: RegistryGateway;
const extraGateways: RegistryGateway[] = [];

const publishCatalog = (fields: number) => registry.mustPublish('catalog', catalogSdl(fields), catalog.url);
const asksFor = (field: string) => `{ items { id ${field} } user(id: "u1") { name } }`;
const serves = async (url: string, field: string) => {
  const res = await graphql(url, asksFor(field));
  return res.errors === undefined && res.data?.items?.[0]?.[field] === `${field} of i1`;
};

beforeAll(async () => {
  registry = await TestRegistry.create('gateway_reload');
  await registry.start();
  accounts = await startAccountsSubgraph(new Gate());
  catalog = await startTestSubgraph('catalog', catalogSdl(itemFields.length), {
    Query: { items: () => [Object.fromEntries([['id', 'i1'], ...itemFields.map((f) => [f, `${f} of i1`])])] },
  });
  await registry.mustPublish('accounts', accounts.sdl, accounts.url);
  await publishCatalog(1);
  gateway = await startRegistryGateway(registry);
});

afterAll(async () => {
  for (const extra of extraGateways) await extra.dispose();
  await gateway?.dispose();
  await registry?.dispose();
  await accounts?.stop();
  await catalog?.stop();
});

describe('a gateway following the schema registry', () => {
  it('starts with the variant\'s latest supergraph, is ready, and says which one it serves', async () => {
    const latest = await registry.gql('query($ref: String!) { variant(ref: $ref) { supergraph { id } } }', { ref: graphRef });

    expect(await gateway.ready()).toBe(200);
    expect(await gateway.servedId()).toBe(latest.data.variant.supergraph.id);
    expect(await serves(gateway.url, 'f0')).toBe(true);
    expect(errorCodes(await graphql(gateway.url, asksFor('f1')))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    // The cache is written after the supergraph is served: wait for it rather than race it.
    await waitFor(() => fs.existsSync(supergraphCacheFile(gateway.dataDir, graphRef)), { timeoutMs: 10_000, what: 'the supergraph cached on disk' });
    expect(fs.readFileSync(supergraphCacheFile(gateway.dataDir, graphRef), 'utf8')).toContain('f0: String!');
  });

  it('serves a publish that adds a field within a second of the publish answer', async () => {
    const id = await publishCatalog(2);
    const published = performance.now();

    await waitFor(() => serves(gateway.url, 'f1'), { timeoutMs: 1_000, intervalMs: 5, what: 'the gateway to serve Item.f1' });

    const latencyMs = performance.now() - published;
    process.stdout.write(`reload latency: ${latencyMs.toFixed(0)} ms from the publish answer to the first request served with the new field\n`);
    expect(latencyMs).toBeLessThan(1_000);
    expect(await gateway.servedId()).toBe(id);
  });

  it('runs a stream of requests through several reloads without failing one', async () => {
    let done = false;
    let sent = 0;
    const failures: string[] = [];
    const worker = async () => {
      while (!done) {
        sent += 1;
        const res = await graphql(gateway.url, asksFor('f0')).catch((err: Error) => ({ status: 0, errors: [{ message: err.message }], data: undefined }));
        if (res.status !== 200 || res.errors || res.data?.user?.name !== 'Ada') failures.push(JSON.stringify(res.errors ?? res.status));
      }
    };
    const workers = Array.from({ length: 4 }, worker);

    const reloads = [3, 4, 5];
    for (const fields of reloads) {
      const id = await publishCatalog(fields);
      await waitFor(async () => (await gateway.servedId()) === id, { timeoutMs: 5_000, what: `supergraph ${id} to be served` });
      await waitFor(() => sent > fields * 20, { what: 'requests to run on the new supergraph' });
    }
    done = true;
    await Promise.all(workers);

    process.stdout.write(`stream through ${reloads.length} reloads: ${sent} requests, ${failures.length} failed\n`);
    expect(failures).toEqual([]);
    expect(await serves(gateway.url, 'f4')).toBe(true);
  });

  it('changes nothing when a publish does not compose', async () => {
    const before = await gateway.servedId();

    const refused = await registry.publish('twin', accounts.sdl, accounts.url);

    expect(refused.published).toBe(false);
    expect(refused.errors).toContain('INVALID_FIELD_SHARING');
    expect(await gateway.servedId()).toBe(before);
    expect(await serves(gateway.url, 'f4')).toBe(true);
  });

  it('keeps serving while the registry is down, and follows it again once it is back', async () => {
    await registry.stop();

    expect(await gateway.ready()).toBe(200);
    expect(await serves(gateway.url, 'f4')).toBe(true);

    await registry.start();
    const id = await publishCatalog(6);
    await waitFor(async () => (await gateway.servedId()) === id, { timeoutMs: 15_000, what: 'the gateway to follow the registry again' });
    expect(await serves(gateway.url, 'f5')).toBe(true);
  });

  it('starts from its disk cache when the registry is down', async () => {
    const served = await gateway.servedId();
    await registry.stop();
    try {
      const second = await startRegistryGateway(registry, { dataDir: gateway.dataDir });
      extraGateways.push(second);

      expect(await second.ready()).toBe(200);
      expect(await second.servedId()).toBe(served);
      expect(await serves(second.url, 'f5')).toBe(true);
    } finally {
      await registry.start();
    }
  });

  it('with neither registry nor cache is not ready, and loads the supergraph once the registry is up', async () => {
    await registry.stop();
    const fresh = await startRegistryGateway(registry);
    extraGateways.push(fresh);

    expect(await fresh.ready()).toBe(503);
    const early = await graphql(fresh.url, asksFor('f0'));
    expect(early.status).toBe(503);
    expect(errorCodes(early)).toEqual(['SERVICE_UNAVAILABLE']);

    await registry.start();
    await waitFor(async () => (await fresh.ready()) === 200, { timeoutMs: 15_000, what: 'the gateway to become ready' });
    expect(await serves(fresh.url, 'f5')).toBe(true);
    await waitFor(() => fs.existsSync(supergraphCacheFile(fresh.dataDir, graphRef)), { timeoutMs: 10_000, what: 'the supergraph cached on disk' });
  });

  it('refuses a cached supergraph that does not load, and stays unready until the registry serves one', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-gateway-data-'));
    fs.writeFileSync(supergraphCacheFile(dataDir, graphRef), 'schema { query: Query } type Query { broken: Nope }');
    await registry.stop();
    try {
      const broken = await startRegistryGateway(registry, { dataDir });
      extraGateways.push(broken);

      expect(await broken.ready()).toBe(503);

      await registry.start();
      await waitFor(async () => (await broken.ready()) === 200, { timeoutMs: 15_000, what: 'the gateway to become ready' });
      expect(await serves(broken.url, 'f5')).toBe(true);
    } finally {
      await registry.start();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stops at once when it is stopped before any supergraph came', async () => {
    await registry.stop();
    try {
      const waiting = await startRegistryGateway(registry);

      await waiting.dispose();

      await expect(fetch(waiting.url)).rejects.toThrow();
    } finally {
      await registry.start();
    }
  });
});
