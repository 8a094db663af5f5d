import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { graphql, recordSubscription, waitFor } from '@ficus/testkit';
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ficus, requireFicusCli } from './harness/ficus-cli';
import { LiveSubgraph, startLiveSubgraph } from './harness/live-subgraph';
import { graphRef, RegistryGateway, startRegistryGateway, TestRegistry } from './harness/test-registry';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';

/*
 * A subscription served over graphql-ws counts as usage of its Subscription field, so that
 * the real `ficus subgraph check` refuses to remove a field clients subscribe to.
 */

const onRename = 'subscription OnRename($id: ID!) { userRenamed(id: $id) { id name } }';
const storefront = { name: 'storefront', version: '3.1.0' };

/** Another subgraph's Subscription field, so that removing userRenamed removes one field and not the root type. */
const noticesSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Subscription {
    noticePosted: String!
  }
`;

let registry: TestRegistry;
let live: LiveSubgraph;
let notices: TestSubgraph;
let gateway: RegistryGateway;
let scratch: string;
const clients: Client[] = [];

const clientHeaders = (client: { name: string; version: string }) => ({
  'apollographql-client-name': client.name,
  'apollographql-client-version': client.version,
});

/** A graphql-ws client whose upgrade request names its client application, as browsers' and apps' do. */
function connectAs(client: { name: string; version: string }): Client {
  const headers = clientHeaders(client);
  const connection = createClient({
    url: gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers });
      }
    },
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(connection);
  return connection;
}

/** The live subgraph without `userRenamed`, as a file for the CLI. */
function liveWithoutUserRenamed(): string {
  const sdl = live.sdl.replace(/\n\s*type Subscription \{[^}]*\}/, '');
  if (sdl === live.sdl || sdl.includes('userRenamed')) throw new Error('the live subgraph SDL changed shape: this test cannot remove userRenamed from it');
  const file = path.join(scratch, 'live-without-user-renamed.graphql');
  fs.writeFileSync(file, sdl);
  return file;
}

interface CheckReport {
  usage: { totalRequests: number } | null;
  changes: { coordinate: string; affectedOperations: { name: string | null; count: number }[] }[];
}

/** A check of removing Subscription.userRenamed through the registry's API, for the test to wait on. */
async function checkRemoval(): Promise<CheckReport> {
  const res = await registry.gql(
    `mutation($input: CheckSubgraphInput!) {
      checkSubgraph(input: $input) { usage { totalRequests } changes { coordinate affectedOperations { name count } } }
    }`,
    { input: { ref: graphRef, name: 'live', sdl: fs.readFileSync(liveWithoutUserRenamed(), 'utf8') } },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.checkSubgraph;
}

const usedInWindow = async () => (await checkRemoval()).usage?.totalRequests ?? 0;

/** The operations the check says use Subscription.userRenamed. */
const usersOfUserRenamed = async () =>
  (await checkRemoval()).changes.find((c) => c.coordinate === 'Subscription.userRenamed')?.affectedOperations ?? [];

beforeAll(async () => {
  requireFicusCli();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-subscription-usage-'));
  registry = await TestRegistry.create('gateway_subscription_usage');
  await registry.start();
  live = await startLiveSubgraph();
  notices = await startTestSubgraph('notices', noticesSdl, {});
  await registry.mustPublish('live', live.sdl, live.url);
  await registry.mustPublish('notices', notices.sdl, notices.url);
  gateway = await startRegistryGateway(registry, { env: { USAGE_REPORT_INTERVAL_MS: '200' } });
  await waitFor(async () => (await gateway.ready()) === 200, { what: 'the gateway to serve the published supergraph' });
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await gateway?.dispose();
  await registry?.dispose();
  await live?.stop();
  await notices?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('usage of subscriptions', () => {
  it('reports a subscription served over graphql-ws as usage of its Subscription field, and ficus subgraph check refuses to remove that field', async () => {
    // A window without usage fails every breaking change; with usage that never subscribes, the removal passes.
    const query = await graphql(gateway.url, 'query UserName { user(id: "u1") { name } }', undefined, clientHeaders(storefront));
    expect(query.errors).toBeUndefined();
    await waitFor(async () => (await usedInWindow()) >= 1, { timeoutMs: 10_000, what: 'the UserName query to reach the registry' });
    const before = await checkRemovalWithCli();
    expect(before.stderr).toBe('');
    expect(before.code).toBe(0);

    const first = recordSubscription(connectAs(storefront), onRename, { id: 'u1' });
    const second = recordSubscription(connectAs(storefront), onRename, { id: 'u2' });
    await waitFor(() => live.openStreams() === 2, { what: 'both upstream subscriptions' });
    live.rename('u1', 'Ada');
    await waitFor(() => first.values.length === 1, { what: 'the event' });
    expect(first.values).toEqual([{ userRenamed: { id: 'u1', name: 'Ada' } }]);
    expect([first.errors, second.errors]).toEqual([[], []]);

    // Literals are stripped from signatures: both subscriptions are one operation, used twice.
    const affected = await waitFor(
      async () => {
        const operations = await usersOfUserRenamed();
        return operations.find((o) => o.name === 'OnRename')?.count === 2 ? operations : null;
      },
      { timeoutMs: 10_000, what: 'the OnRename subscriptions to reach the registry' },
    );
    expect(affected).toEqual([{ name: 'OnRename', count: 2 }]);

    const after = await checkRemovalWithCli();
    expect(after.code).toBe(1);
    expect(after.stdout).toMatch(/✗ BREAKING\s+FIELD_REMOVED\s+Subscription\.userRenamed/);
    expect(after.stdout).toContain('used by operation OnRename (2 requests; storefront 3.1.0: 2)');
    expect(after.stderr).toBe('error: check failed: 1 breaking change(s): FIELD_REMOVED Subscription.userRenamed (used by OnRename by storefront 3.1.0)\n');
  });
});

/** `ficus subgraph check` of the live subgraph without `userRenamed`, as a real process. */
const checkRemovalWithCli = () => ficus(registry, ['subgraph', 'check', graphRef, '--name', 'live', '--schema', liveWithoutUserRenamed()]);
