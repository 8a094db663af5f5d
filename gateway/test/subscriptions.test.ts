import { recordSubscription, SubscriptionRecording, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Gate, startReviewsSubgraph } from './harness/shop-subgraphs';
import { LiveSubgraph, startLiveSubgraph, startTcpProxy, TcpProxy } from './harness/live-subgraph';
import { startTestGateway, TestGateway } from './harness/test-gateway';
import type { TestSubgraph } from './harness/test-subgraph';
import { startTokenIssuer, TokenIssuer } from './harness/token-issuer';

const ada = { sub: 'u1', email: 'ada@example.com', roles: ['customer'] };
const renamed = `subscription Renamed($id: ID!) { userRenamed(id: $id) { id name watchedBy reviews { body seenBy } } }`;

let issuer: TokenIssuer;
let live: LiveSubgraph;
let reviews: TestSubgraph;
let gateway: TestGateway;
const clients: Client[] = [];
const reviewsGate = new Gate();

beforeAll(async () => {
  issuer = await startTokenIssuer();
  live = await startLiveSubgraph();
  reviews = await startReviewsSubgraph(reviewsGate);
  gateway = await startTestGateway([live, reviews], { env: { JWKS_URL: issuer.jwksUrl, SUBSCRIPTIONS_PER_CONNECTION: '25' } });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});

afterAll(async () => {
  await gateway?.dispose();
  await live?.stop();
  await reviews?.stop();
  await issuer?.stop();
});

const connect = (url: string, params: Record<string, unknown> = {}) => {
  const client = webSocketClient(url, params);
  clients.push(client);
  return client;
};
const asAda = async (url = gateway.url) => connect(url, { authorization: `Bearer ${await issuer.sign(ada)}` });
const codesOf = (recording: SubscriptionRecording) => recording.errors.map((e) => e.extensions?.code ?? e.code);

describe('a federated subscription over graphql-ws', () => {
  it('streams every event with the fields other subgraphs own, forwarding the identity to each subgraph', async () => {
    const recording = recordSubscription(await asAda(), renamed, { id: 'u7' });
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

    live.rename('u7', 'Ada');
    live.rename('u7', 'Ada L.');

    await waitFor(() => recording.values.length === 2, { what: 'two events' });
    expect(recording.values).toEqual([
      { userRenamed: { id: 'u7', name: 'Ada', watchedBy: 'u1', reviews: [{ body: 'review by u7', seenBy: 'u1' }] } },
      { userRenamed: { id: 'u7', name: 'Ada L.', watchedBy: 'u1', reviews: [{ body: 'review by u7', seenBy: 'u1' }] } },
    ]);
    expect(recording.errors).toEqual([]);
  });

  it('accepts the token as connectionParams.headers.authorization too, and no token as anonymous', async () => {
    const token = await issuer.sign(ada);
    const withHeaders = recordSubscription(connect(gateway.url, { headers: { authorization: `Bearer ${token}` } }), renamed, { id: 'u8' });
    const anonymous = recordSubscription(connect(gateway.url), renamed, { id: 'u8' });
    await waitFor(() => live.openStreams() === 2, { what: 'both upstream subscriptions' });

    live.rename('u8', 'Bo');

    await waitFor(() => withHeaders.values.length === 1 && anonymous.values.length === 1, { what: 'the event on both' });
    expect(withHeaders.values[0].userRenamed.watchedBy).toBe('u1');
    expect(anonymous.values[0].userRenamed).toMatchObject({ watchedBy: null, reviews: [{ seenBy: null }] });
  });

  it("passes on the subgraph's refusal (FORBIDDEN) and completes", async () => {
    const recording = recordSubscription(connect(gateway.url), renamed, { id: 'p1' });

    await waitFor(() => recording.completed, { what: 'the refused subscription to complete' });
    expect(codesOf(recording)).toEqual(['FORBIDDEN']);
  });

  it('completes the client subscription when the subgraph completes it', async () => {
    const recording = recordSubscription(await asAda(), renamed, { id: 'u9' });
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

    live.completeAll();

    await waitFor(() => recording.completed, { what: 'the client subscription to complete' });
    expect(recording.errors).toEqual([]);
  });

  it('leaves no upstream subscription behind once 20 client subscriptions close', async () => {
    const client = await asAda();
    const recordings = Array.from({ length: 20 }, (_, i) => recordSubscription(client, renamed, { id: `m${i}` }));
    await waitFor(() => live.openStreams() === 20, { what: '20 upstream subscriptions' });

    recordings.forEach((recording) => recording.stop());

    await waitFor(() => live.openStreams() === 0, { what: 'every upstream subscription to close' });
  });

  it('refuses a subscription beyond SUBSCRIPTIONS_PER_CONNECTION with TOO_MANY_SUBSCRIPTIONS', async () => {
    const client = await asAda();
    Array.from({ length: 25 }, (_, i) => recordSubscription(client, renamed, { id: `l${i}` }));
    await waitFor(() => live.openStreams() === 25, { what: '25 upstream subscriptions' });

    const refused = recordSubscription(client, renamed, { id: 'l25' });

    await waitFor(() => refused.errors.length > 0, { what: 'the refusal' });
    expect(codesOf(refused)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    expect(live.openStreams()).toBe(25);
  });

  it('ends every upstream subscription of a client that reuses the id of an operation it completed while it started, once the socket closes', async () => {
    const socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const received: { id?: string; type: string }[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await issuer.sign(ada)}` } }));
    await waitFor(() => received.some((m) => m.type === 'connection_ack'), { what: 'the acknowledgement' });

    const subscribe = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: renamed, variables: { id: 'r1' } } });
    for (let round = 0; round < 5; round++) {
      // Sent together, so the complete and the second subscribe arrive while the first starts.
      socket.send(subscribe);
      socket.send(JSON.stringify({ id: '1', type: 'complete' }));
      socket.send(subscribe);
      await waitFor(() => live.openStreams() >= 1, { what: `round ${round}'s subscription upstream` });
      socket.send(JSON.stringify({ id: '1', type: 'complete' }));
    }
    socket.close();

    await waitFor(() => live.openStreams() === 0, { what: 'every upstream subscription to end with the socket' });
  });

  it('refuses an operation the supergraph does not have without reaching a subgraph', async () => {
    const client = connect(gateway.url);
    const unknown = recordSubscription(client, 'subscription { userRenamed(id: "u1") { shoeSize } }');
    const unknownQuery = recordSubscription(client, '{ user(id: "u1") { shoeSize } }');

    await waitFor(() => unknown.errors.length > 0 && unknownQuery.errors.length > 0, { what: 'both refusals' });
    expect(codesOf(unknown)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codesOf(unknownQuery)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('a query over graphql-ws', () => {
  const results = async (client: Client, query: string, variables: Record<string, unknown> = {}) => {
    const answers: Array<{ data?: unknown; errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }> = [];
    for await (const answer of client.iterate({ query, variables })) answers.push(answer);
    return answers;
  };

  it('is answered once, with the fields other subgraphs own and the identity forwarded to each, then completes', async () => {
    const answers = await results(await asAda(), 'query Profile($id: ID!) { user(id: $id) { name reviews { body seenBy } } }', { id: 'u3' });

    expect(answers).toHaveLength(1);
    expect(answers[0].errors).toBeUndefined();
    expect(answers[0].data).toEqual({ user: { name: 'user u3', reviews: [{ body: 'review by u3', seenBy: 'u1' }] } });
  });

  it("carries a subgraph's error at its path beside the data, as HTTP does, and the socket serves on", async () => {
    const client = await asAda();
    const [answer] = await results(client, '{ withdrawn: user(id: "withdrawn") { name reviews { body } } other: user(id: "u4") { name } }');

    expect(answer.data).toEqual({ withdrawn: null, other: { name: 'user u4' } });
    expect(answer.errors).toEqual([expect.objectContaining({ message: 'the reviews of this user were withdrawn', path: ['withdrawn', 'reviews'], extensions: expect.objectContaining({ code: 'REVIEWS_WITHDRAWN' }) })]);
    expect((await results(client, '{ user(id: "u5") { name } }'))[0].data).toEqual({ user: { name: 'user u5' } });
  });

  it('goes through the limits and is timed as an HTTP query is', async () => {
    const client = connect(gateway.url);
    const tooMany = recordSubscription(client, `{ user(id: "u1") { ${Array.from({ length: 40 }, (_, i) => `a${i}: name`).join(' ')} } }`);
    await waitFor(() => tooMany.errors.length > 0, { what: 'the refusal' });
    expect(codesOf(tooMany)).toEqual(['MAX_ALIASES_LIMIT']);

    await results(client, 'query OverTheSocket { user(id: "u2") { name } }');
    const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();
    const timed = metrics.split('\n').find((line) => line.startsWith('graphql_gateway_operation_duration_seconds_count{') && line.includes('graphql_operation_name="OverTheSocket"'));
    expect(timed).toMatch(/outcome="success".* 1$/);
  });
});

describe('sharing the work of many subscriptions', () => {
  let proxy: TcpProxy;
  let proxied: TestGateway;

  beforeAll(async () => {
    proxy = await startTcpProxy(live.url);
    proxied = await startTestGateway([{ ...live, url: proxy.url }, reviews], { env: { JWKS_URL: issuer.jwksUrl } });
  });

  afterAll(async () => {
    await proxied?.dispose();
    await proxy?.stop();
  });

  it('carries the subscriptions of many clients to a subgraph over one socket, each authorised by its own identity', async () => {
    const owner = { sub: 'p7', email: 'p7@example.com', roles: ['customer'] };
    const allowed = recordSubscription(connect(proxied.url, { authorization: `Bearer ${await issuer.sign(owner)}` }), renamed, { id: 'p7' });
    const others = await Promise.all(Array.from({ length: 5 }, async (_, i) => recordSubscription(await asAda(proxied.url), renamed, { id: `s${i}` })));
    await waitFor(() => live.openStreams() === 6, { what: 'six upstream subscriptions' });
    const refused = recordSubscription(connect(proxied.url), renamed, { id: 'p7' });
    await waitFor(() => refused.completed, { what: 'the refusal' });

    expect(proxy.connections()).toBe(1);
    expect(codesOf(refused)).toEqual(['FORBIDDEN']);
    live.rename('p7', 'Pat');
    live.rename('s3', 'Sam');
    await waitFor(() => allowed.values.length === 1 && others[3]!.values.length === 1, { what: 'each event on its own subscription' });
    expect(allowed.values[0].userRenamed).toMatchObject({ name: 'Pat', watchedBy: 'p7', reviews: [{ seenBy: 'p7' }] });
    expect(others[3]!.values[0].userRenamed).toMatchObject({ name: 'Sam', watchedBy: 'u1', reviews: [{ seenBy: 'u1' }] });
    expect(others.filter((_, i) => i !== 3).every((other) => other.values.length === 0)).toBe(true);

    [allowed, ...others].forEach((recording) => recording.stop());
    await waitFor(() => live.openStreams() === 0 && proxy.connections() === 0, { what: 'the shared socket to close after the last subscription' });
  });

  it('runs the rest of the plan once per event for subscribers of the same operation, variables and identity', async () => {
    const bo = { sub: 'u2', email: 'bo@example.com', roles: ['customer'] };
    const same = await Promise.all(Array.from({ length: 10 }, async () => recordSubscription(await asAda(proxied.url), renamed, { id: 'u5' })));
    const asBo = recordSubscription(connect(proxied.url, { authorization: `Bearer ${await issuer.sign(bo)}` }), renamed, { id: 'u5' });
    await waitFor(() => live.openStreams() === 11, { what: 'eleven upstream subscriptions' });
    const before = reviews.requests.length;
    const eventsBefore = await subscriptionEvents(proxied);
    // Held until all eleven events have reached the gateway, so that sharing does not depend on timing.
    reviewsGate.close();

    live.rename('u5', 'Eve');

    await waitFor(async () => sum(await subscriptionEvents(proxied)) - sum(eventsBefore) === 11, { what: 'the eleven events at the gateway' });
    reviewsGate.open();
    await waitFor(() => [...same, asBo].every((recording) => recording.values.length === 1), { what: 'the event on every subscription' });
    const events = await subscriptionEvents(proxied);
    expect({ ran: events.ran - eventsBefore.ran, shared: events.shared - eventsBefore.shared }).toEqual({ ran: 2, shared: 9 });
    for (const recording of same) expect(recording.values[0].userRenamed).toMatchObject({ name: 'Eve', reviews: [{ seenBy: 'u1' }] });
    expect(asBo.values[0].userRenamed).toMatchObject({ name: 'Eve', reviews: [{ seenBy: 'u2' }] });
    // One fetch for Ada's ten, one for Bo's: identities never share a result.
    expect(reviews.requests.length - before).toBe(2);
  });
});

describe('a bad bearer token over graphql-ws', () => {
  it.each([
    ['a forged token', async () => `Bearer ${await issuer.sign(ada, { forged: true })}`],
    ['an expired token', async () => `Bearer ${await issuer.sign(ada, { expiresAt: Math.floor(Date.now() / 1000) - 60 })}`],
    ['a value that is not a bearer token', async () => 'Basic dXNlcjpwYXNz'],
  ])('refuses %s at connection with close code 4401', async (_label, authorization) => {
    const recording = recordSubscription(connect(gateway.url, { authorization: await authorization() }), renamed, { id: 'u1' });

    await waitFor(() => recording.errors.length > 0, { what: 'the connection to be refused' });
    expect(recording.errors[0]).toMatchObject({ code: 4401, reason: expect.stringMatching(/^Unauthenticated: /) });
    expect(live.openStreams()).toBe(0);
  });
});

describe('losing the subgraph', () => {
  it('ends the subscription with SUBGRAPH_SUBSCRIPTION_LOST when the subgraph connection drops', async () => {
    const proxy = await startTcpProxy(live.url);
    const proxied = await startTestGateway([{ ...live, url: proxy.url }, reviews], { env: { JWKS_URL: issuer.jwksUrl } });
    try {
      const recording = recordSubscription(await asAda(proxied.url), renamed, { id: 'u1' });
      await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

      proxy.cut();

      await waitFor(() => recording.completed, { what: 'the client subscription to end' });
      expect(codesOf(recording)).toEqual(['SUBGRAPH_SUBSCRIPTION_LOST']);
    } finally {
      await proxied.dispose();
      await proxy.stop();
    }
  });

  it('notices a subgraph that stops answering within the keep-alive interval', async () => {
    const keepAliveMs = 300;
    const proxy = await startTcpProxy(live.url);
    const proxied = await startTestGateway([{ ...live, url: proxy.url }, reviews], {
      env: { JWKS_URL: issuer.jwksUrl, SUBSCRIPTION_KEEP_ALIVE_MS: String(keepAliveMs) },
    });
    try {
      const recording = recordSubscription(await asAda(proxied.url), renamed, { id: 'u1' });
      await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

      proxy.freeze();
      const frozenAt = Date.now();

      await waitFor(() => recording.completed, { what: 'the client subscription to end', timeoutMs: 5_000, intervalMs: 10 });
      // One interval until the next ping, one more waiting for its pong.
      expect(Date.now() - frozenAt).toBeLessThan(2 * keepAliveMs + 500);
      expect(codesOf(recording)).toEqual(['SUBGRAPH_SUBSCRIPTION_LOST']);
    } finally {
      await proxied.dispose();
      await proxy.stop();
      await waitFor(() => live.openStreams() === 0, { what: 'the frozen upstream stream to be released' });
    }
  });
});

describe('stopping the gateway', () => {
  it('completes open subscriptions and their upstream ones', async () => {
    const stopping = await startTestGateway([live, reviews], { env: { JWKS_URL: issuer.jwksUrl } });
    const recording = recordSubscription(await asAda(stopping.url), renamed, { id: 'u1' });
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

    await stopping.dispose();

    await waitFor(() => recording.completed, { what: 'the client subscription to complete' });
    expect(recording.errors).toEqual([]);
    await waitFor(() => live.openStreams() === 0, { what: 'the upstream subscription to close' });
  });
});

/** The gateway's count of subscription events, by whether each ran the rest of the plan or shared a run. */
async function subscriptionEvents(of: TestGateway): Promise<{ ran: number; shared: number }> {
  const text = await (await fetch(of.url.replace(/\/graphql$/, '/metrics'))).text();
  const count = (completion: string) =>
    Number(new RegExp(`^ficus_gateway_subscription_events_total\\{completion="${completion}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { ran: count('ran'), shared: count('shared') };
}

const sum = (events: { ran: number; shared: number }) => events.ran + events.shared;

/** Opens a raw graphql-transport-ws socket: 101 and the socket, or the status and body the upgrade was refused with. */
function upgrade(url: string, origin?: string): Promise<{ status: number; body: string; socket: WebSocket | null }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', origin ? { origin } : {});
    socket.once('open', () => resolve({ status: 101, body: '', socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, socket: null }));
    });
    socket.on('error', reject);
  });
}

describe('the browser origin of a WebSocket upgrade', () => {
  const opened: WebSocket[] = [];
  afterAll(() => opened.forEach((socket) => socket.terminate()));

  const upgradeFrom = async (origin: string | undefined) => {
    const result = await upgrade(gateway.url, origin);
    if (result.socket) opened.push(result.socket);
    return result.status;
  };

  it('refuses a page of an origin that is not allowed with 403, and accepts allowed ones, its own and non-browser clients', async () => {
    expect(await upgradeFrom('https://evil.example')).toBe(403);
    expect(await upgradeFrom('https://studio.apollographql.com')).toBe(101);
    expect(await upgradeFrom('https://sandbox.embed.apollographql.com')).toBe(101);
    expect(await upgradeFrom(new URL(gateway.url).origin)).toBe(101);
    expect(await upgradeFrom(undefined)).toBe(101);
  });
});

describe('a bearer token that expires while its subscription is open', () => {
  it('closes the socket with 4401, which ends the subscription and its upstream one', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const recording = recordSubscription(connect(gateway.url, { authorization: `Bearer ${await issuer.sign(ada, { expiresAt })}` }), renamed, {
      id: 'x1',
    });
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });
    live.rename('x1', 'Xi');
    await waitFor(() => recording.values.length === 1, { what: 'an event while the token is valid' });

    await waitFor(() => recording.errors.length > 0, { what: 'the socket to close at expiry', timeoutMs: 10_000 });
    expect(recording.errors[0]).toMatchObject({ code: 4401, reason: 'Unauthenticated: the bearer token has expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    await waitFor(() => live.openStreams() === 0, { what: 'the upstream subscription to close' });
  });
});

describe('a socket that closes while its bearer token is verified', () => {
  let slowKeys: TokenIssuer;
  let fresh: TestGateway;

  beforeAll(async () => {
    slowKeys = await startTokenIssuer();
    // A gateway of its own: its first token makes it fetch the signing keys, which the issuer holds.
    fresh = await startTestGateway([live, reviews], { env: { JWKS_URL: slowKeys.jwksUrl } });
  });

  afterAll(async () => {
    await fresh?.dispose();
    await slowKeys?.stop();
  });

  const openConnections = async () => {
    const text = await (await fetch(new URL('/metrics', fresh.url))).text();
    return Number(/^ficus_gateway_websocket_connections(?:\{[^}]*\})? (\d+)$/m.exec(text)?.[1]);
  };

  it('is not counted as open once the token checks out, and the gauge falls back to zero', async () => {
    expect(slowKeys.keyRequests()).toBe(0);
    const release = slowKeys.holdKeys();
    const token = `Bearer ${await slowKeys.sign(ada)}`;
    const leaving = await upgrade(fresh.url);
    leaving.socket!.send(JSON.stringify({ type: 'connection_init', payload: { authorization: token } }));
    await waitFor(() => slowKeys.keyRequests() === 1, { what: 'the gateway to ask for the signing keys' });
    await new Promise((resolve) => {
      leaving.socket!.once('close', resolve);
      leaving.socket!.close();
    });
    // A second socket waits on the same key fetch, so its acknowledgement comes after the first is settled.
    const staying = connect(fresh.url, { authorization: token });
    const recording = recordSubscription(staying, renamed, { id: 's1' });
    release();
    await waitFor(() => live.openStreams() === 1, { what: 'the second socket to subscribe' });
    expect(await openConnections()).toBe(1);

    await staying.dispose();
    await waitFor(async () => (await openConnections()) === 0, { what: 'no socket to be counted as open' });
    expect(recording.errors).toEqual([]);
  });
});

describe('SUBSCRIPTION_CONNECTIONS_PER_CLIENT', () => {
  let limited: TestGateway;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    limited = await startTestGateway([live, reviews], { env: { JWKS_URL: issuer.jwksUrl, SUBSCRIPTION_CONNECTIONS_PER_CLIENT: '3' } });
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.terminate());
    await limited?.dispose();
  });

  const open = async () => {
    const result = await upgrade(limited.url);
    if (result.socket) sockets.push(result.socket);
    return result;
  };

  it('refuses the upgrade beyond the limit with 429, keeps serving the accepted ones, and frees a slot when a socket closes', async () => {
    const client = webSocketClient(limited.url, { authorization: `Bearer ${await issuer.sign(ada)}` });
    clients.push(client);
    const recording = recordSubscription(client, renamed, { id: 'c1' });
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });
    const accepted = await Promise.all([open(), open()]);
    expect(accepted.map((result) => result.status)).toEqual([101, 101]);

    const refused = await open();
    expect(refused).toMatchObject({ status: 429, body: 'Too many connections', socket: null });
    live.rename('c1', 'Cy');
    await waitFor(() => recording.values.length === 1, { what: 'the event on the accepted connection' });
    expect(recording.values[0].userRenamed.name).toBe('Cy');

    const closing = accepted[0].socket!;
    await new Promise((resolve) => {
      closing.once('close', resolve);
      closing.close();
    });

    // The gateway sees the close on its side a moment after the client does: retry until it has.
    await waitFor(async () => (await open()).status === 101, { what: 'a socket to be accepted once one closed' });
    expect((await open()).status).toBe(429);
  });
});

describe('the size of a WebSocket message', () => {
  it('closes a socket whose message is over BODY_LIMIT_BYTES with 1009, and keeps serving the others', async () => {
    const { socket } = await upgrade(gateway.url);
    const outcome = new Promise<string>((resolve) => {
      socket!.once('message', (data) => resolve(`answered ${String(data)}`));
      socket!.once('close', (code) => resolve(`closed ${code}`));
    });
    socket!.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(1_100_000) } }));
    expect(await outcome).toBe('closed 1009');

    const recording = recordSubscription(await asAda(), renamed, { id: 'c9' });
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription of another socket' });
    live.rename('c9', 'Di');
    await waitFor(() => recording.values.length === 1, { what: 'its event' });
    expect(recording.values[0].userRenamed.name).toBe('Di');
  });
});
