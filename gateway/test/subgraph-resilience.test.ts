import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createLogger, Logger } from '@ficus/kit';
import { composeSubgraphs } from '@ficus/schema-registry';
import { errorCodes, graphql, GraphQLResponse, waitFor } from '@ficus/testkit';
import { getOperationAST, GraphQLError, parse } from 'graphql';
import { Registry } from 'prom-client';
import type { GatewayContext } from '../src/execution/gateway-context';
import { defaultSubgraphResilience, readSubgraphResilienceConfig, SubgraphResilienceConfig } from '../src/execution/resilience/config';
import { registerSubgraphResilienceMetrics } from '../src/execution/resilience/resilience-metrics';
import { SubgraphResilience } from '../src/execution/resilience/subgraph-resilience';
import { createEngine } from '../src/engine/create-engine';
import { Gate } from './harness/shop-subgraphs';

const catalogSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { products: [Product!]! }
  type Product @key(fields: "id") { id: ID! name: String! }
`;

const ordersSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { orders: [Order!] }
  type Mutation { placeOrder(productId: ID!): Order }
  type Order { id: ID! productId: ID! }
  type Product @key(fields: "id") { id: ID! orderCount: Int }
`;

const products = [
  { id: 'p1', name: 'Fig' },
  { id: 'p2', name: 'Olive' },
];

const everything = '{ products { id name orderCount } orders { id } }';
const ordersOnly = '{ orders { id } }';
const placeOrder = 'mutation { placeOrder(productId: "p1") { id } }';

interface Subgraph {
  name: string;
  url: string;
  sdl: string;
  stop(): Promise<void>;
}

/** What an orders subgraph does; shared by its restarts, so requests are counted across them. */
class OrdersBehaviour {
  requests = 0;
  readonly gate = new Gate();
  failWithGraphQLError = false;

  readonly resolvers = {
    Query: {
      orders: async () => {
        await this.gate.wait();
        if (this.failWithGraphQLError) throw new GraphQLError('orders are being counted', { extensions: { code: 'BAD_REQUEST' } });
        return [{ id: 'o1', productId: 'p1' }];
      },
    },
    Mutation: { placeOrder: (_: unknown, { productId }: { productId: string }) => ({ id: `o-${this.requests}`, productId }) },
    Product: { __resolveReference: ({ id }: { id: string }) => ({ id, orderCount: id === 'p1' ? 1 : 0 }) },
  };
}

async function startSubgraph(
  name: string,
  sdl: string,
  resolvers: Record<string, Record<string, (...args: any[]) => unknown>>,
  options: { port?: number; onRequest?: () => void } = {},
): Promise<Subgraph> {
  const server = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers }]),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 0, host: '127.0.0.1' },
    context: async () => {
      options.onRequest?.();
      return {};
    },
  });
  return { name, url, sdl, stop: () => server.stop() };
}

const startCatalog = () =>
  startSubgraph('catalog', catalogSdl, {
    Query: { products: () => products },
    Product: { __resolveReference: ({ id }: { id: string }) => products.find((p) => p.id === id) ?? null },
  });

const startOrders = (behaviour: OrdersBehaviour, port?: number) =>
  startSubgraph('orders', ordersSdl, behaviour.resolvers, { port, onRequest: () => behaviour.requests++ });

/** A plain HTTP server standing for the orders subgraph that answers every request with `status`. */
async function startRefusingOrders(status: number): Promise<Subgraph & { requests(): number }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`refused with ${status}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    name: 'orders',
    url: `http://127.0.0.1:${port}/`,
    sdl: ordersSdl,
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** A TCP proxy in front of a subgraph that can lose the next response: the request reaches the subgraph, its answer is reset. */
async function startLossyProxy(targetUrl: string): Promise<{ url: string; loseNextResponse(): void; stop(): Promise<void> }> {
  const target = new URL(targetUrl);
  let responsesToLose = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (responsesToLose === 0) {
        client.write(chunk);
        return;
      }
      responsesToLose--;
      client.resetAndDestroy();
      upstream.destroy();
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    loseNextResponse: () => void responsesToLose++,
    stop: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

interface ResilientGateway {
  url: string;
  registry: Registry;
  logger: Logger;
  stop(): Promise<void>;
}

/** The gateway's engine over the composed subgraphs, as build() wires it, with the given breaker settings, behind a plain HTTP endpoint. */
async function startGateway(
  subgraphs: Pick<Subgraph, 'name' | 'url' | 'sdl'>[],
  config: Partial<SubgraphResilienceConfig>,
  subgraphTimeoutMs = 10_000,
): Promise<ResilientGateway> {
  const composed = composeSubgraphs(subgraphs.map((s) => ({ name: s.name, routingUrl: s.url, origin: 'inline sdl', sdl: s.sdl })));
  if (!composed.ok) throw new Error(`test subgraphs do not compose: ${JSON.stringify(composed.errors)}`);
  const logger = createLogger('gateway', 'silent');
  const resilience = new SubgraphResilience({ ...defaultSubgraphResilience, ...config }, logger);
  const registry = new Registry();
  registerSubgraphResilienceMetrics(registry, resilience);
  const engine = createEngine(
    { name: 'ficus', deduplicate: false, overrideLabels: new Set(), planningTimeoutMs: 5_000, planCacheSize: 100 },
    { signer: null, resilience, subgraphTimeoutMs, logger },
  );
  const loaded = engine.load({ id: 'test', sdl: composed.supergraphSdl });
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const { query } = JSON.parse(body) as { query: string };
      const document = parse(query);
      const operation = getOperationAST(document)!;
      const context: GatewayContext = { requestId: randomUUID(), traceparent: null, identity: null, clientAddress: '127.0.0.1', logger };
      const result = await loaded.execute({
        document,
        operation,
        operationName: null,
        variables: {},
        authorized: { document, text: query, removedKey: '', errors: [] },
        context,
      });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    registry,
    logger,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
    },
  };
}

async function metric(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value;
}

const circuitState = (gateway: ResilientGateway, subgraph: string) =>
  metric(gateway.registry, 'ficus_gateway_subgraph_circuit_state', { subgraph });
const transitions = (gateway: ResilientGateway, subgraph: string, to: string) =>
  metric(gateway.registry, 'ficus_gateway_subgraph_circuit_transitions_total', { subgraph, to });

async function timed(send: () => Promise<GraphQLResponse>): Promise<{ response: GraphQLResponse; ms: number }> {
  const started = performance.now();
  const response = await send();
  return { response, ms: performance.now() - started };
}

const unavailable = (path: (string | number)[]) => ({
  message: expect.stringContaining('"orders"'),
  path,
  extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'orders' }),
});

const failed = (path: (string | number)[], reason: string) => ({
  message: expect.stringContaining('"orders" failed'),
  path,
  extensions: { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'orders', reason },
});

describe('a subgraph that stops', () => {
  const orders = new OrdersBehaviour();
  let catalog: Subgraph;
  let ordersServer: Subgraph;
  let gateway: ResilientGateway;
  let warnings: jest.SpyInstance;
  let infos: jest.SpyInstance;

  beforeAll(async () => {
    catalog = await startCatalog();
    ordersServer = await startOrders(orders);
    gateway = await startGateway([catalog, ordersServer], { breakerFailures: 3, breakerHalfOpenAfterMs: 300 });
    warnings = jest.spyOn(gateway.logger, 'warn');
    infos = jest.spyOn(gateway.logger, 'info');
  });

  afterAll(async () => {
    await gateway?.stop();
    await catalog?.stop();
    await ordersServer?.stop();
  });

  it('is answered in full while it runs, with its circuit closed', async () => {
    const response = await graphql(gateway.url, everything);

    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      products: [
        { id: 'p1', name: 'Fig', orderCount: 1 },
        { id: 'p2', name: 'Olive', orderCount: 0 },
      ],
      orders: [{ id: 'o1' }],
    });
    expect(await circuitState(gateway, 'orders')).toBe(0);
  });

  it('opens its circuit after SUBGRAPH_BREAKER_FAILURES failed requests, then its fields fail at once with SUBGRAPH_UNAVAILABLE while the other subgraphs are served', async () => {
    await ordersServer.stop();
    for (let i = 0; i < 3; i++) {
      const response = await graphql(gateway.url, ordersOnly);
      expect(response.errors).toEqual([failed(['orders'], 'connection')]);
    }
    expect(await circuitState(gateway, 'orders')).toBe(2);
    expect(await transitions(gateway, 'orders', 'open')).toBe(1);
    expect(warnings).toHaveBeenCalledWith(expect.objectContaining({ subgraph: 'orders', failure: 'connection' }), expect.stringContaining('circuit open'));

    const { response, ms } = await timed(() => graphql(gateway.url, everything));

    expect(ms).toBeLessThan(250);
    expect(response.data).toEqual({
      products: [
        { id: 'p1', name: 'Fig', orderCount: null },
        { id: 'p2', name: 'Olive', orderCount: null },
      ],
      orders: null,
    });
    expect(response.errors).toEqual(expect.arrayContaining([unavailable(['orders']), unavailable(['products', 0]), unavailable(['products', 1])]));
    expect(response.errors).toHaveLength(3);
    expect(await circuitState(gateway, 'orders')).toBe(2);
  });

  it('closes its circuit after the half-open delay once it answers on its port again, and full results return', async () => {
    ordersServer = await startOrders(orders, Number(new URL(ordersServer.url).port));

    const response = await waitFor(
      async () => {
        const attempt = await graphql(gateway.url, everything);
        return attempt.errors ? null : attempt;
      },
      { timeoutMs: 5_000, what: 'a response without errors' },
    );

    expect(response.data?.orders).toEqual([{ id: 'o1' }]);
    expect(await circuitState(gateway, 'orders')).toBe(0);
    expect(await transitions(gateway, 'orders', 'half-open')).toBeGreaterThanOrEqual(1);
    expect(await transitions(gateway, 'orders', 'closed')).toBe(1);
    expect(infos).toHaveBeenCalledWith({ subgraph: 'orders' }, expect.stringContaining('half-open'));
    expect(infos).toHaveBeenCalledWith({ subgraph: 'orders' }, expect.stringContaining('circuit closed'));
  });
});

describe('a subgraph that hangs', () => {
  const orders = new OrdersBehaviour();
  let catalog: Subgraph;
  let ordersServer: Subgraph;
  let gateway: ResilientGateway;
  const timeoutMs = 1_000;

  beforeAll(async () => {
    catalog = await startCatalog();
    ordersServer = await startOrders(orders);
    gateway = await startGateway([catalog, ordersServer], { breakerFailures: 2, breakerHalfOpenAfterMs: 1_500 }, timeoutMs);
  });

  afterAll(async () => {
    orders.gate.open();
    await gateway?.stop();
    await catalog?.stop();
    await ordersServer?.stop();
  });

  it('costs the subgraph timeout, without a retry, only until its circuit opens', async () => {
    orders.gate.close();
    for (let i = 1; i <= 2; i++) {
      const { response, ms } = await timed(() => graphql(gateway.url, ordersOnly));
      expect(ms).toBeGreaterThanOrEqual(timeoutMs - 50);
      expect(response.errors).toEqual([failed(['orders'], 'timeout')]);
      expect(response.errors?.[0]?.message).toMatch(/timeout/i);
      expect(orders.requests).toBe(i);
    }

    const { response, ms } = await timed(() => graphql(gateway.url, everything));

    expect(ms).toBeLessThan(250);
    expect(response.data?.products).toEqual([
      { id: 'p1', name: 'Fig', orderCount: null },
      { id: 'p2', name: 'Olive', orderCount: null },
    ]);
    expect(errorCodes(response)).toEqual(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE']);
    expect(orders.requests).toBe(2);
  });

  it('lets one request probe after the half-open delay while the others fail at once, and opens again when the probe times out', async () => {
    const { probe } = await waitFor(
      async () => {
        let settled = false;
        const attempt = graphql(gateway.url, ordersOnly).finally(() => (settled = true));
        await waitFor(() => settled || orders.requests === 3, { timeoutMs: 2_000, what: 'the request to be refused or to reach the subgraph' });
        if (orders.requests === 3) return { probe: attempt };
        await attempt;
        return null;
      },
      { timeoutMs: 5_000, what: 'a probe to reach the subgraph' },
    );

    const { response, ms } = await timed(() => graphql(gateway.url, ordersOnly));

    expect(ms).toBeLessThan(250);
    expect(errorCodes(response)).toEqual(['SUBGRAPH_UNAVAILABLE']);
    expect((await probe).errors?.[0]?.message).toMatch(/timeout/i);
    expect(orders.requests).toBe(3);
    expect(await circuitState(gateway, 'orders')).toBe(2);
    expect(await transitions(gateway, 'orders', 'open')).toBe(2);
  });
});

describe('a subgraph answering HTTP 5xx', () => {
  let catalog: Subgraph;
  let failing: Awaited<ReturnType<typeof startRefusingOrders>>;
  let gateway: ResilientGateway;

  beforeAll(async () => {
    catalog = await startCatalog();
    failing = await startRefusingOrders(503);
    gateway = await startGateway([catalog, failing], { breakerFailures: 2, breakerHalfOpenAfterMs: 60_000 });
  });

  afterAll(async () => {
    await gateway?.stop();
    await catalog?.stop();
    await failing?.stop();
  });

  it('is not retried, and opens its circuit after SUBGRAPH_BREAKER_FAILURES of them', async () => {
    expect((await graphql(gateway.url, ordersOnly)).errors).toEqual([failed(['orders'], 'server-error')]);
    expect(failing.requests()).toBe(1);
    await graphql(gateway.url, ordersOnly);
    expect(failing.requests()).toBe(2);

    const response = await graphql(gateway.url, ordersOnly);

    expect(response.errors).toEqual([unavailable(['orders'])]);
    expect(failing.requests()).toBe(2);
  });

  it('never opens the circuit with SUBGRAPH_BREAKER_FAILURES 0', async () => {
    const unguarded = await startGateway([catalog, failing], { breakerFailures: 0 });
    try {
      const before = failing.requests();
      for (let i = 0; i < 4; i++) expect(errorCodes(await graphql(unguarded.url, ordersOnly))).toEqual(['SUBREQUEST_HTTP_ERROR']);

      expect(failing.requests() - before).toBe(4);
    } finally {
      await unguarded.stop();
    }
  });
});

describe('answers that are not outages', () => {
  let catalog: Subgraph;
  let gateway: ResilientGateway;

  beforeAll(async () => {
    catalog = await startCatalog();
  });

  afterAll(async () => {
    await gateway?.stop();
    await catalog?.stop();
  });

  it('a subgraph refusing with 401 (a signature or configuration problem) keeps its circuit closed', async () => {
    const refusing = await startRefusingOrders(401);
    gateway = await startGateway([catalog, refusing], { breakerFailures: 2 });
    try {
      for (let i = 0; i < 4; i++) expect(errorCodes(await graphql(gateway.url, ordersOnly))).toEqual(['UNAUTHENTICATED']);

      expect(refusing.requests()).toBe(4);
      expect(await circuitState(gateway, 'orders')).toBe(0);
    } finally {
      await gateway.stop();
      await refusing.stop();
    }
  });

  it('GraphQL errors in a successful response keep the circuit closed', async () => {
    const orders = new OrdersBehaviour();
    orders.failWithGraphQLError = true;
    const ordersServer = await startOrders(orders);
    gateway = await startGateway([catalog, ordersServer], { breakerFailures: 2 });
    try {
      for (let i = 0; i < 4; i++) expect(errorCodes(await graphql(gateway.url, ordersOnly))).toEqual(['BAD_REQUEST']);

      expect(orders.requests).toBe(4);
      expect(await circuitState(gateway, 'orders')).toBe(0);
    } finally {
      await gateway.stop();
      await ordersServer.stop();
    }
  });
});

describe('a connection reset before the answer', () => {
  const orders = new OrdersBehaviour();
  let catalog: Subgraph;
  let ordersServer: Subgraph;
  let proxy: Awaited<ReturnType<typeof startLossyProxy>>;

  beforeAll(async () => {
    catalog = await startCatalog();
    ordersServer = await startOrders(orders);
    proxy = await startLossyProxy(ordersServer.url);
  });

  afterAll(async () => {
    await proxy?.stop();
    await catalog?.stop();
    await ordersServer?.stop();
  });

  const behindProxy = () => ({ name: 'orders', url: proxy.url, sdl: ordersSdl });

  it('sends a query once more, which then succeeds', async () => {
    const gateway = await startGateway([catalog, behindProxy()], {});
    try {
      const before = orders.requests;
      proxy.loseNextResponse();

      const response = await graphql(gateway.url, ordersOnly);

      expect(response.errors).toBeUndefined();
      expect(response.data).toEqual({ orders: [{ id: 'o1' }] });
      expect(orders.requests - before).toBe(2);
      expect(await metric(gateway.registry, 'ficus_gateway_subgraph_retries_total', { subgraph: 'orders' })).toBe(1);
    } finally {
      await gateway.stop();
    }
  });

  it('never sends a mutation again: the subgraph sees it once', async () => {
    const gateway = await startGateway([catalog, behindProxy()], {});
    try {
      const before = orders.requests;
      proxy.loseNextResponse();

      const response = await graphql(gateway.url, placeOrder);

      expect(response.errors).toEqual([failed(['placeOrder'], 'connection')]);
      expect(response.data).toEqual({ placeOrder: null });
      expect(orders.requests - before).toBe(1);
      expect(await metric(gateway.registry, 'ficus_gateway_subgraph_retries_total', { subgraph: 'orders' })).toBeUndefined();
    } finally {
      await gateway.stop();
    }
  });

  it('is not retried with SUBGRAPH_RETRY off', async () => {
    const gateway = await startGateway([catalog, behindProxy()], { retry: false });
    try {
      const before = orders.requests;
      proxy.loseNextResponse();

      const response = await graphql(gateway.url, ordersOnly);

      expect(response.errors).toEqual([failed(['orders'], 'connection')]);
      expect(orders.requests - before).toBe(1);
    } finally {
      await gateway.stop();
    }
  });
});

describe('the breaker and retry variables', () => {
  it('default to 5 consecutive failures, a 5 s half-open delay and retries on', () => {
    expect(readSubgraphResilienceConfig({})).toEqual({ breakerFailures: 5, breakerHalfOpenAfterMs: 5_000, retry: true });
  });

  it('are read from SUBGRAPH_BREAKER_FAILURES, SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS and SUBGRAPH_RETRY', () => {
    expect(
      readSubgraphResilienceConfig({ SUBGRAPH_BREAKER_FAILURES: '0', SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS: '30000', SUBGRAPH_RETRY: 'false' }),
    ).toEqual({ breakerFailures: 0, breakerHalfOpenAfterMs: 30_000, retry: false });
  });

  it('report every bad one at once', () => {
    const read = () =>
      readSubgraphResilienceConfig({ SUBGRAPH_BREAKER_FAILURES: '-1', SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS: 'soon', SUBGRAPH_RETRY: 'maybe' });

    expect(read).toThrow(/SUBGRAPH_BREAKER_FAILURES[\s\S]*SUBGRAPH_BREAKER_HALF_OPEN_AFTER_MS[\s\S]*SUBGRAPH_RETRY/);
  });
});
