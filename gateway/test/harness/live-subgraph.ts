import net from 'node:net';
import { createLogger, identityFromHeaders, OpenStreams, ServiceMetrics, startGraphQLHttpServer } from '@ficus/kit';
import { GraphQLError, parse } from 'graphql';
import type { TestSubgraph } from './test-subgraph';

const sdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    user(id: ID!): User
  }
  type Subscription {
    "Each new name of the user; only its owner (or an admin) may follow a private user (id starting with p)."
    userRenamed(id: ID!): User!
  }
  type User @key(fields: "id") {
    id: ID!
    name: String!
    "The user id the subscription's connection_init carried."
    watchedBy: String
  }
`;

interface LiveContext {
  userId: string | null;
  roles: string[];
  logger: ReturnType<typeof createLogger>;
}

/** A subgraph streaming `userRenamed` over graphql-ws (the kit's server), fed by the test. */
export interface LiveSubgraph extends TestSubgraph {
  /** Upstream streams open on it now: the gateway must not leave any behind. */
  openStreams(): number;
  rename(id: string, name: string): void;
  /** Completes every stream from the subgraph's side. */
  completeAll(): void;
}

export async function startLiveSubgraph(): Promise<LiveSubgraph> {
  const logger = createLogger('live', 'silent');
  const streams = new OpenStreams();
  const feeds = new Set<Feed>();
  const server = await startGraphQLHttpServer<LiveContext>({
    typeDefs: parse(sdl),
    resolvers: {
      Query: { user: (_: unknown, { id }: { id: string }) => ({ id, name: `user ${id}` }) },
      Subscription: {
        userRenamed: {
          subscribe: (_: unknown, { id }: { id: string }, ctx: LiveContext) => {
            if (id.startsWith('p') && ctx.userId !== id && !ctx.roles.includes('admin')) {
              throw new GraphQLError('you may not follow this user', { extensions: { code: 'FORBIDDEN' } });
            }
            const feed = new Feed(id, ctx.userId, () => feeds.delete(feed));
            feeds.add(feed);
            return feed;
          },
          resolve: (user: unknown) => user,
        },
      },
      User: { __resolveReference: ({ id }: { id: string }) => ({ id, name: `user ${id}` }) },
    },
    logger,
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 100_000,
    checks: [],
    metrics: new ServiceMetrics('live'),
    context: (req) => ({ ...identityOf(req.headers as Record<string, string>), logger }),
    subscriptions: {
      streams,
      keepAliveMs: 60_000,
      context: (params) => ({ ...identityOf((params.headers ?? {}) as Record<string, string>), logger }),
    },
  });
  return {
    name: 'live',
    url: server.url,
    sdl,
    requests: [],
    stop: () => server.stop(),
    openStreams: () => streams.size,
    rename: (id, name) => feeds.forEach((feed) => feed.id === id && feed.push({ id, name, watchedBy: feed.watchedBy })),
    completeAll: () => feeds.forEach((feed) => feed.finish()),
  };
}

function identityOf(headers: Record<string, string>) {
  const identity = identityFromHeaders(headers);
  return { userId: identity?.userId ?? null, roles: identity?.roles ?? [] };
}

type Renamed = { id: string; name: string; watchedBy: string | null };

class Feed implements AsyncIterableIterator<Renamed> {
  private readonly values: Renamed[] = [];
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(
    readonly id: string,
    readonly watchedBy: string | null,
    private readonly forget: () => void,
  ) {}

  push(value: Renamed): void {
    this.values.push(value);
    this.wake?.();
  }

  finish(): void {
    this.ended = true;
    this.forget();
    this.wake?.();
  }

  async next(): Promise<IteratorResult<Renamed>> {
    for (;;) {
      const value = this.values.shift();
      if (value) return { value, done: false };
      if (this.ended) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<Renamed>> {
    this.finish();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}

/**
 * A TCP proxy in front of a subgraph, standing for the network: `cut()` resets every
 * connection (a crashed host), `freeze()` silently drops all traffic (a vanished one).
 */
export interface TcpProxy {
  url: string;
  /** Connections through it open now. */
  connections(): number;
  cut(): void;
  freeze(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const pairs = new Set<[net.Socket, net.Socket]>();
  let frozen = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk);
      });
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    connections: () => pairs.size,
    cut: () => pairs.forEach(([client, upstream]) => (client.resetAndDestroy(), upstream.resetAndDestroy())),
    freeze: () => void (frozen = true),
    stop: () =>
      new Promise<void>((resolve) => {
        pairs.forEach(([client, upstream]) => (client.destroy(), upstream.destroy()));
        server.close(() => resolve());
      }),
  };
}
