import {
  HttpSubscriptionProtocol,
  recordHttpSubscription,
  recordSubscription,
  SubscriptionRecording,
  waitFor,
  webSocketClient,
} from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { LiveSubgraph, startLiveSubgraph } from './harness/live-subgraph';
import { startReviewsSubgraph } from './harness/shop-subgraphs';
import { RegistryGateway, startRegistryGateway, TestRegistry } from './harness/test-registry';
import type { TestSubgraph } from './harness/test-subgraph';
import { startTokenIssuer, TokenIssuer } from './harness/token-issuer';

const ada = { sub: 'u1', email: 'ada@example.com', roles: ['customer'] };
const renamed = `subscription Renamed($id: ID!) { userRenamed(id: $id) { id name watchedBy reviews { body seenBy } } }`;
/** How long a reload may take to end open subscriptions, from the publish answer. */
const reloadDeadlineMs = 5_000;

let issuer: TokenIssuer;
let registry: TestRegistry;
let live: LiveSubgraph;
let reviews: TestSubgraph;
let gateway: RegistryGateway;
const clients: Client[] = [];
let published = 0;

beforeAll(async () => {
  issuer = await startTokenIssuer();
  registry = await TestRegistry.create('gateway_subscription_reload');
  await registry.start();
  live = await startLiveSubgraph();
  reviews = await startReviewsSubgraph();
  await registry.mustPublish('live', live.sdl, live.url);
  await registry.mustPublish('reviews', reviews.sdl, reviews.url);
  // Heartbeats far apart: each multipart event must arrive whole on its own, delimiter included.
  gateway = await startRegistryGateway(registry, { env: { JWKS_URL: issuer.jwksUrl, SUBSCRIPTION_HEARTBEAT_MS: '60000' } });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await waitFor(() => live.openStreams() === 0, { what: 'no upstream subscription left by the test' });
});

afterAll(async () => {
  await gateway?.dispose();
  await registry?.dispose();
  await live?.stop();
  await reviews?.stop();
  await issuer?.stop();
});

/** Publishes the live subgraph with one more Query field (a compatible change) and waits until the gateway serves it. */
async function publishCompatibleChange(): Promise<void> {
  published += 1;
  const fields = Array.from({ length: published }, (_, i) => `ping${i}: String`).join('\n    ');
  const sdl = live.sdl.replace('type Query {', `type Query {\n    ${fields}`);
  const id = await registry.mustPublish('live', sdl, live.url);
  await waitFor(async () => (await gateway.servedId()) === id, { timeoutMs: reloadDeadlineMs, what: `supergraph ${id} to be served` });
}

const asAda = async () => ({ authorization: `Bearer ${await issuer.sign(ada)}` });
const connect = async () => {
  const client = webSocketClient(gateway.url, await asAda());
  clients.push(client);
  return client;
};
const codesOf = (errors: { extensions?: Record<string, unknown>; code?: unknown }[]) => errors.map((e) => e.extensions?.code ?? e.code);

describe('a supergraph reload from the registry', () => {
  it('ends an open graphql-ws subscription with SUPERGRAPH_RELOADED, and a new one works', async () => {
    const client = await connect();
    const before: SubscriptionRecording = recordSubscription(client, renamed, { id: 'u1' });
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });
    live.rename('u1', 'Ada');
    await waitFor(() => before.values.length === 1, { what: 'an event before the reload' });

    await publishCompatibleChange();

    await waitFor(() => before.completed, { timeoutMs: reloadDeadlineMs, what: 'the subscription to end after the reload' });
    expect(codesOf(before.errors)).toEqual(['SUPERGRAPH_RELOADED']);
    await waitFor(() => live.openStreams() === 0, { what: 'the upstream subscription to close' });

    const after = recordSubscription(client, renamed, { id: 'u1' });
    await waitFor(() => live.openStreams() === 1, { what: 'the new upstream subscription' });
    live.rename('u1', 'Ada L.');
    await waitFor(() => after.values.length === 1, { what: 'an event after the reload' });
    expect(after.values[0].userRenamed).toMatchObject({ name: 'Ada L.', watchedBy: 'u1', reviews: [{ seenBy: 'u1' }] });
    expect(after.errors).toEqual([]);
    after.stop();
  });

  it.each<HttpSubscriptionProtocol>(['sse', 'multipart'])(
    'ends an open %s stream with SUPERGRAPH_RELOADED, and a new one works',
    async (protocol) => {
      const before = recordHttpSubscription(gateway.url, protocol, renamed, { id: 'u2' }, await asAda());
      try {
        await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

        await publishCompatibleChange();

        await waitFor(() => before.closed, { timeoutMs: reloadDeadlineMs, what: 'the stream to end after the reload' });
        // Multipart sends an error that ends the stream as a transport error.
        const received = protocol === 'multipart' ? before.transportErrors : before.errors;
        expect(codesOf(received)).toEqual(['SUPERGRAPH_RELOADED']);
        expect(before.completed).toBe(true);
      } finally {
        before.stop();
      }
      await waitFor(() => live.openStreams() === 0, { what: 'the upstream subscription to close' });

      const after = recordHttpSubscription(gateway.url, protocol, renamed, { id: 'u2' }, await asAda());
      try {
        await waitFor(() => live.openStreams() === 1, { what: 'the new upstream subscription' });
        live.rename('u2', 'Bo');
        await waitFor(() => after.values.length === 1, { what: 'an event after the reload' });
        expect(after.values[0].userRenamed).toMatchObject({ name: 'Bo', watchedBy: 'u1', reviews: [{ seenBy: 'u1' }] });
        expect(after.errors).toEqual([]);
      } finally {
        after.stop();
      }
    },
  );
});
