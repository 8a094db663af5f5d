import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { ficus, requireFicusCli } from './harness/ficus-cli';
import { LiveSubgraph, startLiveSubgraph } from './harness/live-subgraph';
import { startReviewsSubgraph } from './harness/shop-subgraphs';
import { RegistryGateway, startRegistryGateway, TestRegistry } from './harness/test-registry';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';

/*
 * Trusted documents through the whole wired gateway: manifests made by the real
 * @apollo/generate-persisted-query-manifest, published with the real `ficus` CLI process to a
 * real registry, which gateways built with `build()` follow; real subgraphs count what reaches them.
 */

const repo = path.resolve(__dirname, '../..');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const catalogSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { items: [Item!]! }
  type Item { id: ID! title: String! price: Int! }
`;

/** The client's operations, as its source files hold them (the generator adds `__typename`). */
const firstRelease = {
  Catalog: 'query Catalog { items { id title } }',
  UserReviews: 'query UserReviews($id: ID!) { user(id: $id) { name reviews { body } } }',
  Renamed: 'subscription Renamed($id: ID!) { userRenamed(id: $id) { id name } }',
};
const secondRelease = { ItemPrices: 'query ItemPrices { items { id price } }' };
const neverListed = 'query AllItems { items { id title price } }';

interface ManifestOperation {
  id: string;
  name: string;
  type: string;
  body: string;
}

/** Runs the real generator over one source file per operation, as a client's build does. */
async function generateManifest(dir: string, operations: Record<string, string>): Promise<{ file: string; operations: ManifestOperation[] }> {
  const generator = require.resolve('@apollo/generate-persisted-query-manifest/cli.js', { paths: [path.join(repo, 'e2e')] });
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  for (const [name, text] of Object.entries(operations)) fs.writeFileSync(path.join(dir, 'src', `${name}.graphql`), text);
  fs.writeFileSync(path.join(dir, 'persisted-query-manifest.config.json'), JSON.stringify({ documents: ['src/**/*.graphql'], output: 'manifest.json' }));
  await promisify(execFile)(process.execPath, [generator, '--config', 'persisted-query-manifest.config.json'], { cwd: dir });
  const file = path.join(dir, 'manifest.json');
  return { file, operations: JSON.parse(fs.readFileSync(file, 'utf8')).operations };
}

interface HttpAnswer {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  headers: Headers;
}

async function post(gateway: RegistryGateway, body: Record<string, unknown>): Promise<HttpAnswer> {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as HttpAnswer['body'], headers: response.headers };
}

const byId = (id: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } });
const codesOf = (answer: HttpAnswer) => (answer.body.errors ?? []).map((e) => e.extensions?.code);
const origin = (gateway: RegistryGateway) => new URL(gateway.url).origin;

/** Sums a counter's samples (`name{labels} value`) in Prometheus text. */
function sumOf(metricsText: string, name: string, labels = ''): number {
  return metricsText
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

let registry: TestRegistry;
let live: LiveSubgraph;
let reviews: TestSubgraph;
let catalog: TestSubgraph;
let dir: string;
let first: { file: string; operations: ManifestOperation[] };
let second: { file: string; operations: ManifestOperation[] };
const gateways: RegistryGateway[] = [];
const clients: Client[] = [];

const listed = (name: string) => [...first.operations, ...second.operations].find((o) => o.name === name)!;

/** Every operation any subgraph has been asked: HTTP requests recorded or counted, and streams open. */
async function subgraphCalls(): Promise<number> {
  const liveMetrics = await (await fetch(new URL('/metrics', live.url))).text();
  return catalog.requests.length + reviews.requests.length + sumOf(liveMetrics, 'ficus_graphql_operation_seconds_count') + live.openStreams();
}

async function startGateway(env: Record<string, string>): Promise<RegistryGateway> {
  const gateway = await startRegistryGateway(registry, { env });
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  requireFicusCli();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-trusted-documents-gateway-'));
  [first, second] = await Promise.all([generateManifest(path.join(dir, 'first'), firstRelease), generateManifest(path.join(dir, 'second'), secondRelease)]);
  registry = await TestRegistry.create('trusted_documents_gateway');
  await registry.start();
  live = await startLiveSubgraph();
  reviews = await startReviewsSubgraph();
  catalog = await startTestSubgraph('catalog', catalogSdl, {
    Query: { items: () => [{ id: 'i1', title: 'Fig tree', price: 1200 }] },
  });
  await registry.mustPublish('live', live.sdl, live.url);
  await registry.mustPublish('reviews', reviews.sdl, reviews.url);
  await registry.mustPublish('catalog', catalog.sdl, catalog.url);
  const published = await publishWithCli(first.file);
  if (published.code !== 0) throw new Error(`ficus persisted-queries publish failed (${published.code}): ${published.stderr}`);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.dispose();
  await registry?.dispose();
  await live?.stop();
  await reviews?.stop();
  await catalog?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a gateway with PERSISTED_QUERIES=refuse following the registry', () => {
  let gateway: RegistryGateway;
  beforeAll(async () => {
    gateway = await startGateway({ PERSISTED_QUERIES: 'refuse' });
  });

  it('was given manifests the real generator made, with sha256 ids and __typename added', () => {
    expect(first.operations.map((o) => o.name).sort()).toEqual(['Catalog', 'Renamed', 'UserReviews']);
    for (const operation of [...first.operations, ...second.operations]) expect(operation.id).toBe(sha256(operation.body));
    expect(listed('Catalog').body).toContain('__typename');
  });

  it('serves a listed operation sent by id alone over HTTP POST, calling the subgraphs', async () => {
    const before = await subgraphCalls();

    const answer = await post(gateway, { ...byId(listed('UserReviews').id), variables: { id: 'u1' } });

    expect([answer.status, answer.body.errors]).toEqual([200, undefined]);
    expect(answer.body.data).toEqual({ user: { __typename: 'User', name: 'user u1', reviews: [{ __typename: 'Review', body: 'review by u1' }] } });
    expect(await subgraphCalls()).toBeGreaterThan(before);
  });

  it('serves a listed operation sent as its full body', async () => {
    const answer = await post(gateway, { query: listed('Catalog').body });

    expect([answer.status, answer.body.errors]).toEqual([200, undefined]);
    expect(answer.body.data).toEqual({ items: [{ __typename: 'Item', id: 'i1', title: 'Fig tree' }] });
  });

  it('refuses an operation not in the list with QUERY_NOT_IN_SAFELIST (403) and an unknown id with PERSISTED_QUERY_NOT_IN_LIST (404), calling no subgraph', async () => {
    const before = await subgraphCalls();

    const unlisted = await post(gateway, { query: neverListed });
    // The client's source text differs from the listed body by the __typename the generator added.
    const sourceText = await post(gateway, { query: firstRelease.Catalog });
    const unknownId = await post(gateway, byId(sha256(neverListed)));

    expect([unlisted.status, codesOf(unlisted)]).toEqual([403, ['QUERY_NOT_IN_SAFELIST']]);
    expect([sourceText.status, codesOf(sourceText)]).toEqual([403, ['QUERY_NOT_IN_SAFELIST']]);
    expect([unknownId.status, codesOf(unknownId)]).toEqual([404, ['PERSISTED_QUERY_NOT_IN_LIST']]);
    expect(unknownId.headers.get('cache-control')).toBe('private, no-cache, must-revalidate');
    expect(unlisted.body.data).toBeUndefined();
    expect(await subgraphCalls()).toBe(before);
  });

  it('serves a listed query by id in a GET query string', async () => {
    const params = new URLSearchParams({ extensions: JSON.stringify(byId(listed('Catalog').id).extensions) });

    // Apollo Client sends content-type application/json on GET too, which satisfies CSRF prevention.
    const response = await fetch(`${gateway.url}?${params}`, { headers: { 'content-type': 'application/json' } });

    const body = (await response.json()) as HttpAnswer['body'];
    expect([response.status, body.errors]).toEqual([200, undefined]);
    expect(body.data).toEqual({ items: [{ __typename: 'Item', id: 'i1', title: 'Fig tree' }] });
  });

  it('streams a listed subscription sent by id over graphql-ws', async () => {
    const client = webSocketClient(gateway.url);
    clients.push(client);
    // graphql-ws requires `query` to be a string: an id-only subscribe carries an empty one.
    const recording = recordSubscription(client, '', { id: 'u7' }, byId(listed('Renamed').id).extensions);
    await waitFor(() => live.openStreams() === 1 || recording.errors.length > 0, { what: 'the upstream subscription' });
    expect(recording.errors).toEqual([]);

    live.rename('u7', 'Ada');

    await waitFor(() => recording.values.length === 1, { what: 'the event' });
    expect(recording.values).toEqual([{ userRenamed: { __typename: 'User', id: 'u7', name: 'Ada' } }]);
  });

  it('refuses an unlisted subscription over graphql-ws without opening one upstream', async () => {
    const client = webSocketClient(gateway.url);
    clients.push(client);
    await waitFor(() => live.openStreams() === 0, { what: 'earlier subscriptions to close upstream' });

    const recording = recordSubscription(client, 'subscription { userRenamed(id: "u8") { name } }');

    await waitFor(() => recording.errors.length > 0, { what: 'the refusal' });
    expect(recording.errors.map((e) => e.extensions?.code)).toEqual(['QUERY_NOT_IN_SAFELIST']);
    expect(live.openStreams()).toBe(0);
  });

  it('streams a listed subscription sent by id over SSE', async () => {
    await waitFor(() => live.openStreams() === 0, { what: 'earlier subscriptions to close upstream' });
    const abort = new AbortController();
    try {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
        body: JSON.stringify({ ...byId(listed('Renamed').id), variables: { id: 'u9' } }),
        signal: abort.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

      live.rename('u9', 'Grace');

      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      while (!text.includes('event: next')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      const event = /event: next\ndata: (.*)\n/.exec(text);
      expect(JSON.parse(event![1]!)).toEqual({ data: { userRenamed: { __typename: 'User', id: 'u9', name: 'Grace' } } });
    } finally {
      abort.abort();
    }
  });

  it('serves an operation published with the CLI while it runs, refused before, without a restart', async () => {
    const prices = listed('ItemPrices');
    const refusedBody = await post(gateway, { query: prices.body });
    const refusedId = await post(gateway, byId(prices.id));
    expect([refusedBody.status, codesOf(refusedBody)]).toEqual([403, ['QUERY_NOT_IN_SAFELIST']]);
    expect([refusedId.status, codesOf(refusedId)]).toEqual([404, ['PERSISTED_QUERY_NOT_IN_LIST']]);

    const published = await publishWithCli(second.file);
    const publishedAt = performance.now();
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/\(revision 2\): 1 added, 0 identical; 4 operation\(s\) in the list\n$/);

    const served = await waitFor(
      async () => {
        const answer = await post(gateway, byId(prices.id));
        return answer.status === 200 ? answer : null;
      },
      { timeoutMs: 5_000, intervalMs: 10, what: 'the gateway to serve ItemPrices by id' },
    );
    const latencyMs = performance.now() - publishedAt;
    process.stdout.write(`persisted query list reload: ${latencyMs.toFixed(0)} ms from the CLI's exit to the first request served by the new id\n`);

    expect(served.body.errors).toBeUndefined();
    expect(served.body.data).toEqual({ items: [{ __typename: 'Item', id: 'i1', price: 1200 }] });
    expect((await post(gateway, { query: prices.body })).status).toBe(200);
    expect(latencyMs).toBeLessThan(2_000);
  });
});

describe('a gateway with PERSISTED_QUERIES=log', () => {
  it('serves an operation not in the list and counts it as unlisted on /metrics', async () => {
    const gateway = await startGateway({ PERSISTED_QUERIES: 'log' });
    const unlistedCount = async () => sumOf(await (await fetch(`${origin(gateway)}/metrics`)).text(), 'ficus_gateway_trusted_documents_total', 'outcome="unlisted"');
    const before = await unlistedCount();

    const answer = await post(gateway, { query: neverListed });
    const byListedId = await post(gateway, byId(listed('Catalog').id));

    expect(answer).toMatchObject({ status: 200, body: { data: { items: [{ id: 'i1', title: 'Fig tree', price: 1200 }] } } });
    expect(answer.body.errors).toBeUndefined();
    expect(byListedId.status).toBe(200);
    expect((await unlistedCount()) - before).toBe(1);
  });
});

describe('automatic persisted queries in development (PERSISTED_QUERIES=off)', () => {
  let gateway: RegistryGateway;
  beforeAll(async () => {
    gateway = await startGateway({ PERSISTED_QUERIES: 'off' });
  });

  it('answers an unknown id with PERSISTED_QUERY_NOT_FOUND (200), registers id with query, then serves the id alone', async () => {
    const text = 'query Prices { items { price } }';
    const before = catalog.requests.length;

    const notFound = await post(gateway, byId(sha256(text)));
    expect([notFound.status, codesOf(notFound)]).toEqual([200, ['PERSISTED_QUERY_NOT_FOUND']]);
    expect(catalog.requests.length).toBe(before);

    const registered = await post(gateway, { query: text, ...byId(sha256(text)) });
    expect(registered).toMatchObject({ status: 200, body: { data: { items: [{ price: 1200 }] } } });

    const hit = await post(gateway, byId(sha256(text)));
    expect([hit.status, hit.body.errors]).toEqual([200, undefined]);
    expect(hit.body.data).toEqual({ items: [{ price: 1200 }] });
    expect(catalog.requests.length).toBe(before + 2);
  });

  it('refuses a query whose sha256 is not the id sent with it with PERSISTED_QUERY_HASH_MISMATCH, and registers nothing', async () => {
    const claimed = sha256('query Harmless { items { id } }');
    const before = catalog.requests.length;

    const mismatch = await post(gateway, { query: neverListed, ...byId(claimed) });
    const afterwards = await post(gateway, byId(claimed));

    expect([mismatch.status, codesOf(mismatch)]).toEqual([400, ['PERSISTED_QUERY_HASH_MISMATCH']]);
    expect([afterwards.status, codesOf(afterwards)]).toEqual([200, ['PERSISTED_QUERY_NOT_FOUND']]);
    expect(catalog.requests.length).toBe(before);
  });
});

/** `ficus persisted-queries publish` of a manifest, as a real process. */
const publishWithCli = (manifestFile: string) => ficus(registry, ['persisted-queries', 'publish', 'shop@current', '--manifest', manifestFile]);
