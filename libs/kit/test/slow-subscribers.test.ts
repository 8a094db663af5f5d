import { EventEnvelope, userRegistered } from '@ficus/events';
import { waitFor } from '@ficus/testkit';
import { parse } from 'graphql';
import pino from 'pino';
import WebSocket from 'ws';
import { feedGap, OpenStreams, ServiceMetrics, startGraphQLHttpServer, stateStream, STOP_DEADLINE_MS } from '../src';
import { BufferedFeed } from '../src/subscriptions/buffered-feed';

const logger = pino({ level: 'silent' });
const announce = (i: number): EventEnvelope => userRegistered.create('ada', { userId: 'ada', email: `ada${i}@example.com`, name: `ada ${i}` });

/** Resolves with what `promise` gives, or with 'still waiting' after `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref())]);

describe('the feed of a subscriber that does not read', () => {
  it('keeps up to its capacity of events, in order', async () => {
    const feed = new BufferedFeed(Promise.resolve(), () => undefined, 3);
    const events = [1, 2, 3].map(announce);
    events.forEach((event) => feed.deliver(event));

    expect(await feed.nextOrGap()).toEqual({ value: events[0], done: false });
    expect(await feed.nextOrGap()).toEqual({ value: events[1], done: false });
    expect(await feed.nextOrGap()).toEqual({ value: events[2], done: false });
  });

  it('drops what waits once one more event comes than its capacity, and says there was a gap instead', async () => {
    const feed = new BufferedFeed(Promise.resolve(), () => undefined, 3);
    [1, 2, 3, 4].forEach((i) => feed.deliver(announce(i)));

    expect(await feed.nextOrGap()).toBe(feedGap);
    expect(await within(feed.nextOrGap(), 50)).toBe('still waiting');
    await feed.return();
  });

  it('gives its stream the state as it is now when the subscriber comes back, after 10,000 changes it did not read', async () => {
    let version = 0;
    let loads = 0;
    const feed = new BufferedFeed(Promise.resolve(), () => undefined, 100);
    const stream = stateStream<{ version: number }>({
      feed,
      load: async () => {
        loads += 1;
        return { version };
      },
      fingerprint: (state) => String(state.version),
    });
    expect(await stream.next()).toEqual({ value: { version: 0 }, done: false });

    for (let i = 1; i <= 10_000; i++) {
      version = i;
      feed.deliver(announce(i));
    }

    expect(await stream.next()).toEqual({ value: { version: 10_000 }, done: false });
    expect(await within(stream.next(), 200)).toBe('still waiting');
    // Each event that waited is read once: at most the capacity did, not the 10,000.
    expect(loads).toBeLessThanOrEqual(1 + 1 + 100);
    await stream.return!();
  });
});

describe('stopping a service', () => {
  it('does not wait for a WebSocket client that reads nothing: it stops within half the process deadline', async () => {
    const streams = new OpenStreams();
    const server = await startGraphQLHttpServer<{ logger: pino.Logger }>({
      typeDefs: parse('type Query { ping: String } type Subscription { ticks: String! }'),
      resolvers: {
        Subscription: {
          ticks: {
            subscribe: async function* () {
              for (let i = 0; ; i++) {
                yield `${i}:${'x'.repeat(50_000)}`;
                await new Promise((resolve) => setImmediate(resolve));
              }
            },
            resolve: (tick: string) => tick,
          },
        },
      },
      logger,
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 100_000,
      checks: [],
      metrics: new ServiceMetrics('kit-slow-subscribers'),
      context: () => ({ logger }),
      // Far apart: what ends the socket must be the stop, not a missed pong.
      subscriptions: { streams, keepAliveMs: 600_000, context: () => ({ logger }) },
    });
    const client = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    client.on('error', () => undefined);
    const received: string[] = [];
    client.on('message', (data) => received.push(JSON.parse(String(data)).type));
    await new Promise((resolve) => client.once('open', resolve));
    client.send(JSON.stringify({ type: 'connection_init' }));
    await waitFor(() => received.includes('connection_ack'), { what: 'connection_ack' });
    client.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { ticks }' } }));
    await waitFor(() => received.includes('next'), { what: 'the first tick' });
    client.pause();
    await waitFor(() => streams.size === 1, { what: 'the stream' });

    const started = Date.now();
    await server.stop();
    const tookMs = Date.now() - started;

    expect(tookMs).toBeLessThan(STOP_DEADLINE_MS / 2);
    expect(streams.size).toBe(0);
    client.terminate();
  });
});
