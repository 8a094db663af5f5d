import { graphql, HttpSubscriptionProtocol, HttpSubscriptionRecording, recordHttpSubscription, waitFor } from '@ficus/testkit';
import { LiveSubgraph, startLiveSubgraph, startTcpProxy } from './harness/live-subgraph';
import { startReviewsSubgraph } from './harness/shop-subgraphs';
import { startTestGateway, TestGateway } from './harness/test-gateway';
import type { TestSubgraph } from './harness/test-subgraph';
import { startTokenIssuer, TokenIssuer } from './harness/token-issuer';

const ada = { sub: 'u1', email: 'ada@example.com', roles: ['customer'] };
const renamed = `subscription Renamed($id: ID!) { userRenamed(id: $id) { id name watchedBy reviews { body seenBy } } }`;
const protocols: [HttpSubscriptionProtocol, string][] = [
  ['sse', 'text/event-stream; charset=utf-8'],
  ['multipart', 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"'],
];

let issuer: TokenIssuer;
let live: LiveSubgraph;
let reviews: TestSubgraph;
let gateway: TestGateway;
const recordings: HttpSubscriptionRecording[] = [];

beforeAll(async () => {
  issuer = await startTokenIssuer();
  live = await startLiveSubgraph();
  reviews = await startReviewsSubgraph();
  gateway = await startTestGateway([live, reviews], {
    env: { JWKS_URL: issuer.jwksUrl, SUBSCRIPTIONS_PER_CLIENT: '5', SUBSCRIPTION_HEARTBEAT_MS: '200' },
  });
});

afterEach(async () => {
  recordings.splice(0).forEach((recording) => recording.stop());
  await waitFor(() => live.openStreams() === 0, { what: 'no upstream subscription left by the test' });
});

afterAll(async () => {
  await gateway?.dispose();
  await live?.stop();
  await reviews?.stop();
  await issuer?.stop();
});

const subscribe = (protocol: HttpSubscriptionProtocol, variables: Record<string, unknown>, headers: Record<string, string> = {}, url = gateway.url) => {
  const recording = recordHttpSubscription(url, protocol, renamed, variables, headers);
  recordings.push(recording);
  return recording;
};
const asAda = async () => ({ authorization: `Bearer ${await issuer.sign(ada)}` });
const codes = (errors: HttpSubscriptionRecording['errors']) => errors.map((e) => e.extensions?.code);

describe.each(protocols)('a federated subscription over %s', (protocol, contentType) => {
  it('streams every event with the fields other subgraphs own, then ends when the subgraph completes', async () => {
    const recording = subscribe(protocol, { id: 'u7' }, await asAda());
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });
    expect(recording.status).toBe(200);
    expect(recording.contentType).toBe(contentType);

    live.rename('u7', 'Ada');
    live.rename('u7', 'Ada L.');
    await waitFor(() => recording.values.length === 2, { what: 'two events' });
    live.completeAll();

    await waitFor(() => recording.completed && recording.closed, { what: 'the stream to end' });
    expect(recording.values).toEqual([
      { userRenamed: { id: 'u7', name: 'Ada', watchedBy: 'u1', reviews: [{ body: 'review by u7', seenBy: 'u1' }] } },
      { userRenamed: { id: 'u7', name: 'Ada L.', watchedBy: 'u1', reviews: [{ body: 'review by u7', seenBy: 'u1' }] } },
    ]);
    expect(recording.errors).toEqual([]);
  });

  it('sends heartbeats while no event comes', async () => {
    const recording = subscribe(protocol, { id: 'u8' }, await asAda());

    await waitFor(() => recording.heartbeats >= 2, { what: 'two heartbeats' });
    expect(recording.values).toEqual([]);
  });

  it('ends the upstream subscription when the client closes the response', async () => {
    const recording = subscribe(protocol, { id: 'u9' }, await asAda());
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

    recording.stop();

    await waitFor(() => live.openStreams() === 0, { what: 'the upstream subscription to close' });
  });

  it.each([
    ['a forged token', async () => `Bearer ${await issuer.sign(ada, { forged: true })}`],
    ['a value that is not a bearer token', async () => 'Basic dXNlcjpwYXNz'],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_label, authorization) => {
    const recording = subscribe(protocol, { id: 'u1' }, { authorization: await authorization() });

    await waitFor(() => recording.closed, { what: 'the refusal' });
    expect(recording.status).toBe(401);
    expect(codes(recording.errors)).toEqual(['UNAUTHENTICATED']);
    expect(live.openStreams()).toBe(0);
  });

  it("passes on the subgraph's refusal (FORBIDDEN) as a result, then ends", async () => {
    const recording = subscribe(protocol, { id: 'p1' });

    await waitFor(() => recording.completed, { what: 'the refused subscription to end' });
    expect(codes(recording.errors)).toEqual(['FORBIDDEN']);
  });

  it('ends the stream with UNAUTHENTICATED when its bearer token expires, and the upstream subscription with it', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const recording = subscribe(protocol, { id: 'x1' }, { authorization: `Bearer ${await issuer.sign(ada, { expiresAt })}` });
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });
    live.rename('x1', 'Xi');
    await waitFor(() => recording.values.length === 1, { what: 'an event while the token is valid' });

    await waitFor(() => recording.completed, { what: 'the stream to end at expiry', timeoutMs: 10_000 });
    expect(codes(recording.errors)).toEqual(['UNAUTHENTICATED']);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    await waitFor(() => live.openStreams() === 0, { what: 'the upstream subscription to close' });
  });

  it('refuses a subscription the schema does not have with 400 GRAPHQL_VALIDATION_FAILED before any stream opens', async () => {
    const recording = recordHttpSubscription(gateway.url, protocol, 'subscription { userRenamed(id: "u1") { shoeSize } }');

    await waitFor(() => recording.closed, { what: 'the request to end' });
    expect(recording.status).toBe(400);
    expect(codes(recording.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('HTTP subscriptions alongside queries', () => {
  it('leaves queries to the engine, whatever the Accept header', async () => {
    const plain = await graphql(gateway.url, '{ user(id: "u1") { name } }');
    const multipart = await graphql(gateway.url, '{ user(id: "u1") { name } }', undefined, {
      accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
    });

    expect(plain).toMatchObject({ status: 200, data: { user: { name: 'user u1' } } });
    expect(multipart).toMatchObject({ status: 200, data: { user: { name: 'user u1' } } });
  });

  it('refuses a subscription whose Accept header asks for no stream with 406 INVALID_ACCEPT_HEADER, opening nothing upstream', async () => {
    const headers = await asAda();
    for (const accept of ['application/json', '*/*', 'multipart/mixed;deferSpec=20220824', 'multipart/mixed;subscriptionSpec="2.0"']) {
      const answer = await graphql(gateway.url, renamed, { id: 'u1' }, { ...headers, accept });
      expect(answer).toMatchObject({ status: 406, errors: [{ extensions: { code: 'INVALID_ACCEPT_HEADER' } }] });
    }
    expect(live.openStreams()).toBe(0);
  });

  it('refuses a stream beyond SUBSCRIPTIONS_PER_CLIENT with 429 TOO_MANY_SUBSCRIPTIONS', async () => {
    const headers = await asAda();
    Array.from({ length: 5 }, (_, i) => subscribe(i % 2 ? 'sse' : 'multipart', { id: `l${i}` }, headers));
    await waitFor(() => live.openStreams() === 5, { what: '5 upstream subscriptions' });

    const refused = subscribe('sse', { id: 'l5' }, headers);

    await waitFor(() => refused.closed, { what: 'the refusal' });
    expect(refused.status).toBe(429);
    expect(codes(refused.errors)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    expect(live.openStreams()).toBe(5);
  });
});

describe('HTTP subscription streams ending from the gateway side', () => {
  it.each(protocols)('sends SUBGRAPH_SUBSCRIPTION_LOST over %s when the subgraph connection drops, then ends', async (protocol) => {
    const proxy = await startTcpProxy(live.url);
    const proxied = await startTestGateway([{ ...live, url: proxy.url }, reviews], { env: { JWKS_URL: issuer.jwksUrl } });
    try {
      const recording = subscribe(protocol, { id: 'u1' }, await asAda(), proxied.url);
      await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

      proxy.cut();

      await waitFor(() => recording.closed, { what: 'the stream to end' });
      const received = protocol === 'multipart' ? recording.transportErrors : recording.errors;
      expect(codes(received)).toEqual(['SUBGRAPH_SUBSCRIPTION_LOST']);
      expect(recording.completed).toBe(true);
    } finally {
      await proxied.dispose();
      await proxy.stop();
    }
  });

  it.each(protocols)('ends %s streams and their upstream subscriptions when the gateway stops', async (protocol) => {
    const stopping = await startTestGateway([live, reviews], { env: { JWKS_URL: issuer.jwksUrl } });
    const recording = subscribe(protocol, { id: 'u1' }, await asAda(), stopping.url);
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

    await stopping.dispose();

    await waitFor(() => recording.completed && recording.closed, { what: 'the stream to end' });
    expect(recording.errors).toEqual([]);
    await waitFor(() => live.openStreams() === 0, { what: 'the upstream subscription to close' });
  });
});
