import net from 'node:net';
import { STOP_DEADLINE_MS } from '@ficus/kit';
import { waitFor } from '@ficus/testkit';
import WebSocket from 'ws';
import { LiveSubgraph, startLiveSubgraph } from './harness/live-subgraph';
import { origin, startTestGateway, TestGateway } from './harness/test-gateway';

// Each event carries a name of 50 KB: the kernel's socket buffers take several MB before events
// wait in the gateway, so it takes a few hundred events more than the queue's capacity to fill it.
const bigName = (i: number) => `${i}:${'x'.repeat(50_000)}`;
const renamed = 'subscription { userRenamed(id: "u1") { id name } }';

let live: LiveSubgraph;

beforeAll(async () => {
  live = await startLiveSubgraph();
});

afterAll(async () => {
  await live?.stop();
});

/** Renames u1 in batches until the subgraph has no stream open, or `max` events have gone. */
async function renameUntilUpstreamEnds(max: number, what: string): Promise<number> {
  let sent = 0;
  await waitFor(
    () => {
      if (live.openStreams() === 0) return true;
      for (let i = 0; i < 20 && sent < max; i++) live.rename('u1', bigName(sent++));
      return false;
    },
    { timeoutMs: 30_000, intervalMs: 20, what },
  );
  return sent;
}

/** An SSE subscription on a raw socket that reads nothing until `read()` is called. */
function sseSubscriber(gateway: TestGateway) {
  const body = JSON.stringify({ query: renamed });
  const { hostname, port } = new URL(gateway.url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  // No 'data' listener yet: the socket stops reading once its own buffer is full.
  socket.write(`POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  return {
    socket,
    /** Reads from now on; resolves with the last 100 KB once the stream has ended. */
    read(): Promise<string> {
      let tail = '';
      socket.on('data', (chunk) => (tail = (tail + chunk.toString()).slice(-100_000)));
      return new Promise((resolve) => {
        socket.on('data', () => tail.includes('event: complete') && resolve(tail));
        socket.on('close', () => resolve(tail));
      });
    },
  };
}

/** A graphql-ws client subscribed to `renamed` as operation `id`, keeping every message it receives. */
async function wsSubscriber(gateway: TestGateway) {
  const client = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: Array<{ id?: string; type: string; payload?: any }> = [];
  client.on('message', (data) => messages.push(JSON.parse(String(data))));
  client.on('error', () => undefined);
  await new Promise<void>((resolve) => client.once('open', () => resolve()));
  client.send(JSON.stringify({ type: 'connection_init' }));
  await waitFor(() => messages.some((m) => m.type === 'connection_ack'), { what: 'connection_ack' });
  const subscribe = (id: string) => client.send(JSON.stringify({ id, type: 'subscribe', payload: { query: renamed } }));
  return { client, messages, subscribe };
}

describe('a subscriber that stops reading', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    // Keep-alives far apart: what ends these streams must be the full queue, not a missed pong.
    gateway = await startTestGateway([live], {
      env: { SUBSCRIPTION_QUEUE_CAPACITY: '400', SUBSCRIPTION_KEEP_ALIVE_MS: '600000', SUBSCRIPTION_HEARTBEAT_MS: '600000' },
    });
  });

  afterAll(async () => {
    await gateway?.dispose();
  });

  it('over SSE has its upstream subscription ended once more events wait than SUBSCRIPTION_QUEUE_CAPACITY, and reads SUBSCRIPTION_CLIENT_TOO_SLOW when it comes back', async () => {
    const subscriber = sseSubscriber(gateway);
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

    const sent = await renameUntilUpstreamEnds(3_000, 'the gateway to end the subscription of an SSE client that reads nothing');
    const tail = await subscriber.read();

    expect(sent).toBeGreaterThan(400);
    const ending = tail.indexOf('"code":"SUBSCRIPTION_CLIENT_TOO_SLOW"');
    expect(ending).toBeGreaterThan(0);
    expect(tail.indexOf('event: complete', ending)).toBeGreaterThan(ending);
    subscriber.socket.destroy();
  });

  it('over graphql-ws has its upstream subscription ended once more events wait than SUBSCRIPTION_QUEUE_CAPACITY, and may subscribe again on the same socket', async () => {
    const { client, messages, subscribe } = await wsSubscriber(gateway);
    subscribe('1');
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });
    client.pause();

    const sent = await renameUntilUpstreamEnds(3_000, 'the gateway to end the subscription of a graphql-ws client that reads nothing');
    client.resume();
    await waitFor(() => messages.some((m) => m.id === '1' && m.type === 'complete'), { timeoutMs: 30_000, what: 'the end of subscription 1' });
    subscribe('2');
    await waitFor(() => live.openStreams() === 1, { what: 'the new upstream subscription' });
    live.rename('u1', 'after');
    await waitFor(() => messages.some((m) => m.id === '2' && m.type === 'next'), { what: 'an event on subscription 2' });

    expect(sent).toBeGreaterThan(400);
    const ending = messages.filter((m) => m.id === '1' && m.type === 'next').at(-1);
    expect(ending?.payload.errors[0].extensions.code).toBe('SUBSCRIPTION_CLIENT_TOO_SLOW');
    expect(messages.find((m) => m.id === '2' && m.type === 'next')?.payload.data.userRenamed.name).toBe('after');
    client.close();
    await waitFor(() => live.openStreams() === 0, { what: 'the client to leave' });
  });

  it('keeps a client that reads: a burst of 300 events, under the capacity, all arrive in order', async () => {
    const { client, messages, subscribe } = await wsSubscriber(gateway);
    subscribe('1');
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

    for (let i = 0; i < 300; i++) live.rename('u1', bigName(i));
    const events = () => messages.filter((m) => m.type === 'next');
    await waitFor(() => events().length === 300, { timeoutMs: 30_000, what: 'all 300 events' });

    expect(events().map((m) => Number(m.payload.data.userRenamed.name.split(':')[0]))).toEqual([...Array(300).keys()]);
    expect(live.openStreams()).toBe(1);
    client.close();
    await waitFor(() => live.openStreams() === 0, { what: 'the client to leave' });
  });
});

describe('an SSE subscriber that takes nothing written to it', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway([live], { env: { SUBSCRIPTION_KEEP_ALIVE_MS: '500', SUBSCRIPTION_HEARTBEAT_MS: '600000' } });
  });

  afterAll(async () => {
    await gateway?.dispose();
  });

  it('is dropped after two SUBSCRIPTION_KEEP_ALIVE_MS intervals, with fewer events waiting than the queue holds, as a WebSocket that misses a pong is', async () => {
    const subscriber = sseSubscriber(gateway);
    await waitFor(() => live.openStreams() === 1, { what: 'the upstream subscription' });

    // 400 events of 50 KB fill the socket buffers but not the queue of 1,000.
    const sent = await renameUntilUpstreamEnds(400, 'the gateway to drop an SSE client that took nothing for 1 s');

    expect(sent).toBeLessThanOrEqual(400);
    const metrics = await (await fetch(`${origin(gateway)}/metrics`)).text();
    expect(metrics).toMatch(/^ficus_gateway_subscriptions_open\{[^}]*\} 0$/m);
    subscriber.socket.destroy();
  });
});

describe('a graphql-ws client that sends and takes nothing written to it', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway([live], { env: { SUBSCRIPTION_KEEP_ALIVE_MS: '600000' } });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('has its socket no longer read once 1 MiB of pongs waits for it, so its pings wait in its own buffers, and all are answered once it reads', async () => {
    const { client, messages } = await wsSubscriber(gateway);
    const raw = (client as unknown as { _socket: net.Socket })._socket;
    raw.pause();
    const ping = JSON.stringify({ type: 'ping', payload: { pad: 'p'.repeat(500_000) } });
    const pings = 100;
    for (let i = 0; i < pings; i++) client.send(ping);

    // Unread by the gateway, most of the 50 MB stays unsent on the client's side; a gateway that
    // read it all would hold the pongs it echoes, and the client's backlog would drain to nothing.
    let last = -1;
    let steady = 0;
    await waitFor(
      () => {
        steady = client.bufferedAmount === last ? steady + 1 : 0;
        last = client.bufferedAmount;
        return steady >= 10;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: "the client's unsent backlog to stop moving" },
    );
    expect(client.bufferedAmount).toBeGreaterThan(30_000_000);

    raw.resume();
    await waitFor(() => messages.filter((m) => m.type === 'pong').length === pings, { timeoutMs: 20_000, what: 'every ping to be answered' });
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.terminate();
  });
});

describe('stopping the gateway', () => {
  it('does not wait for a graphql-ws client and an SSE client that read nothing: it stops within half the process deadline and completes their upstream subscriptions', async () => {
    const gateway = await startTestGateway([live], { env: { SUBSCRIPTION_KEEP_ALIVE_MS: '600000', SUBSCRIPTION_HEARTBEAT_MS: '600000' } });
    const { client, subscribe } = await wsSubscriber(gateway);
    subscribe('1');
    const sse = sseSubscriber(gateway);
    await waitFor(() => live.openStreams() === 2, { what: 'both upstream subscriptions' });
    client.pause();
    // 300 events of 50 KB for each: more than the sockets' buffers take, fewer than the queue holds.
    for (let i = 0; i < 300; i++) live.rename('u1', bigName(i));

    const started = Date.now();
    await gateway.dispose();
    const tookMs = Date.now() - started;

    expect(tookMs).toBeLessThan(STOP_DEADLINE_MS / 2);
    await waitFor(() => live.openStreams() === 0, { what: 'the upstream subscriptions to close' });
    client.terminate();
    sse.socket.destroy();
  });
});
