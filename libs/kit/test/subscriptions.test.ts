import { connectNats, userRegistered } from '@ficus/events';
import { recordSubscription, startTestNatsServer, TestNatsServer, waitFor, webSocketClient } from '@ficus/testkit';
import { parse } from 'graphql';
import type { Client } from 'graphql-ws';
import { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import WebSocket from 'ws';
import { catchUpStream, DomainEventFeeds, GraphQLHttpServer, OpenStreams, ServiceMetrics, startGraphQLHttpServer, stateStream } from '../src';

const logger = pino({ level: 'silent' });

interface Counter {
  id: string;
  value: number;
}

interface Message {
  id: string;
  text: string;
}

const typeDefs = parse(/* GraphQL */ `
  type Counter {
    id: ID!
    value: Int!
  }
  type Query {
    counter(id: ID!): Counter
  }
  type Subscription {
    "The counter now, then each change; complete once it reaches 3."
    counter(id: ID!): Counter!
    whoami: String!
    "Messages stored after the one named, oldest first, then each new one."
    message(after: ID): Message!
  }
  type Message {
    id: ID!
    text: String!
  }
`);

/** Events announce that a counter may have changed; the counter itself lives in this map, as in a database. */
describe('subscriptions over graphql-ws, fed by NATS', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let publisherNc: NatsConnection;
  let server: GraphQLHttpServer;
  let feeds: DomainEventFeeds;
  const streams = new OpenStreams();
  const counters = new Map<string, number>();
  // Ids sort in the order the messages were stored, as UUIDv7 do.
  const messages: Message[] = [];
  const clients: Client[] = [];

  const announce = async (id: string) => {
    publisherNc.publish('users.user.registered', JSON.stringify(userRegistered.create(id, { userId: id, email: `${id}@example.com`, name: id })));
    await publisherNc.flush();
  };
  const client = (params: Record<string, unknown> = {}) => {
    const c = webSocketClient(server.url, params);
    clients.push(c);
    return c;
  };
  const watch = recordSubscription;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connectNats({ url: nats.url, name: 'kit-subscriptions', logger });
    publisherNc = await connectNats({ url: nats.url, name: 'kit-publisher', logger });
    feeds = new DomainEventFeeds(nc);
    server = await startGraphQLHttpServer<{ logger: pino.Logger; user: string | null }>({
      typeDefs,
      resolvers: {
        Query: { counter: (_: unknown, { id }: { id: string }) => ({ id, value: counters.get(id) }) },
        Subscription: {
          counter: {
            subscribe: (_: unknown, { id }: { id: string }) =>
              stateStream<Counter>({
                feed: feeds.open('users.>', { aggregateId: id }),
                load: async () => (counters.has(id) ? { id, value: counters.get(id)! } : null),
                fingerprint: (c) => String(c.value),
                history: (c) => (c.value > 1 ? [{ id, value: 1 }] : []),
                isFinal: (c) => c.value >= 3,
              }),
            resolve: (counter: Counter) => counter,
          },
          message: {
            subscribe: (_: unknown, { after }: { after?: string | null }) =>
              catchUpStream<Message>({
                feed: feeds.open('users.>', (event) => event.aggregateId.startsWith('m')),
                backlog: async () => (after ? messages.filter((m) => m.id > after) : []),
                load: async (event) => messages.find((m) => m.id === event.aggregateId) ?? null,
                idOf: (m) => m.id,
              }),
            resolve: (message: Message) => message,
          },
          whoami: {
            subscribe: async function* (_: unknown, __: unknown, ctx: { user: string | null }) {
              yield ctx.user ?? 'anonymous';
            },
            resolve: (user: string) => user,
          },
        },
      },
      logger,
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 100_000,
      checks: [],
      metrics: new ServiceMetrics('kit-test'),
      context: () => ({ logger, user: null }),
      subscriptions: {
        streams,
        keepAliveMs: 1_000,
        context: (params) => ({ logger, user: (params.headers as Record<string, string> | undefined)?.['x-user'] ?? null }),
      },
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await server?.stop();
    await nc?.close();
    await publisherNc?.close();
    await nats?.dispose();
  });

  it('sends the history and the current state first, then each change, and completes at the final state', async () => {
    counters.set('a', 2);
    const seen = watch(client(), 'subscription($id: ID!) { counter(id: $id) { id value } }', { id: 'a' });
    await waitFor(() => seen.values.length === 2, { what: 'the history and the current state' });
    counters.set('a', 2);
    await announce('a'); // changes nothing the subscriber sees: not sent
    counters.set('a', 3);
    await announce('a');
    await waitFor(() => seen.completed, { what: 'the stream to complete at the final state' });
    expect(seen.values).toEqual([{ counter: { id: 'a', value: 1 } }, { counter: { id: 'a', value: 2 } }, { counter: { id: 'a', value: 3 } }]);
    expect(seen.errors).toEqual([]);
  });

  it('waits for a state that does not exist yet, and ignores other aggregates', async () => {
    const seen = watch(client(), 'subscription { counter(id: "later") { value } }');
    await waitFor(async () => (await nats.subscriptionsOf('kit-subscriptions')).length > 0, { what: 'the NATS subscription' });
    counters.set('other', 1);
    await announce('other');
    counters.set('later', 1);
    await announce('later');
    await waitFor(() => seen.values.length === 1, { what: 'the first state' });
    expect(seen.values).toEqual([{ counter: { value: 1 } }]);
    seen.stop();
  });

  it('sends the messages stored after the one named, then each new one, never one twice', async () => {
    const store = async (id: string) => {
      messages.push({ id, text: `text of ${id}` });
      await announce(id);
    };
    await store('m1');
    await store('m2');
    await store('m3');
    const seen = watch(client(), 'subscription($after: ID) { message(after: $after) { id } }', { after: 'm1' });
    await waitFor(() => seen.values.length === 2, { what: 'the missed messages' });
    await announce('m3'); // announced again: already sent
    await store('m4');
    await announce('m4');
    await store('m5');
    await waitFor(() => seen.values.some((v) => v.message.id === 'm5'), { what: 'the newest message' });
    expect(seen.values.map((v) => v.message.id)).toEqual(['m2', 'm3', 'm4', 'm5']);
    expect(seen.errors).toEqual([]);
    seen.stop();
  });

  it('sends only new messages when none is named', async () => {
    await waitFor(async () => streams.size === 0 && (await nats.subscriptionsOf('kit-subscriptions')).length === 0, { what: 'a quiet start' });
    const seen = watch(client(), 'subscription { message { id text } }');
    await waitFor(async () => (await nats.subscriptionsOf('kit-subscriptions')).length === 1, { what: 'the NATS subscription' });
    messages.push({ id: 'm6', text: 'text of m6' });
    await announce('m6');
    await waitFor(() => seen.values.length === 1, { what: 'the new message' });
    expect(seen.values).toEqual([{ message: { id: 'm6', text: 'text of m6' } }]);
    seen.stop();
  });

  it('takes the caller from the connection_init payload', async () => {
    const seen = watch(client({ headers: { 'x-user': 'ada' } }), 'subscription { whoami }');
    await waitFor(() => seen.completed, { what: 'whoami' });
    expect(seen.values).toEqual([{ whoami: 'ada' }]);
  });

  it("takes each operation's caller from its own extensions.headers, over one socket", async () => {
    const socket = client({ headers: { 'x-user': 'the-socket' } });
    const asCaller = (user: string | null) => watch(socket, 'subscription { whoami }', {}, user ? { headers: { 'x-user': user } } : undefined);
    const ada = asCaller('ada');
    const grace = asCaller('grace');
    const neither = asCaller(null);
    await waitFor(() => ada.completed && grace.completed && neither.completed, { what: 'the three operations' });
    expect([ada.values, grace.values, neither.values]).toEqual([[{ whoami: 'ada' }], [{ whoami: 'grace' }], [{ whoami: 'the-socket' }]]);
  });

  it('closes a socket whose message is over the body limit with 1009, and keeps serving the others', async () => {
    const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const outcome = new Promise<string>((resolve) => {
      socket.once('message', (data) => resolve(`answered ${String(data)}`));
      socket.once('close', (code) => resolve(`closed ${code}`));
    });
    socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(150_000) } }));
    expect(await outcome).toBe('closed 1009');

    const seen = watch(client({ headers: { 'x-user': 'ada' } }), 'subscription { whoami }');
    await waitFor(() => seen.completed, { what: 'whoami on another socket' });
    expect(seen.values).toEqual([{ whoami: 'ada' }]);
  });

  it('leaves no stream or NATS subscription behind when 50 subscribers go away', async () => {
    await waitFor(async () => streams.size === 0 && (await nats.subscriptionsOf('kit-subscriptions')).length === 0, { what: 'a quiet start' });
    counters.set('busy', 1);
    const many = Array.from({ length: 50 }, () => client());
    const seen = many.map((c) => watch(c, 'subscription { counter(id: "busy") { value } }'));
    await waitFor(() => seen.every((s) => s.values.length === 1), { what: 'every subscriber to get the current state' });
    expect(streams.size).toBe(50);
    // One NATS subscription for the subject, however many follow it.
    expect(await nats.subscriptionsOf('kit-subscriptions')).toEqual(['users.>']);
    await Promise.all(many.map((c) => c.dispose()));
    await waitFor(async () => streams.size === 0 && (await nats.subscriptionsOf('kit-subscriptions')).length === 0, {
      what: 'every stream and NATS subscription to be released',
    });
  });

  it('completes open streams when the server stops', async () => {
    counters.set('open', 1);
    const seen = watch(client(), 'subscription { counter(id: "open") { value } }');
    await waitFor(() => seen.values.length === 1, { what: 'the current state' });
    await server.stop();
    await waitFor(() => seen.completed || seen.errors.length > 0, { what: 'the stream to end' });
    expect({ completed: seen.completed, errors: seen.errors.length }).toEqual({ completed: true, errors: 0 });
  });
});
