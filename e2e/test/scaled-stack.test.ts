import fs from 'node:fs';
import { recordSubscription, SubscriptionRecording, TestNatsNode, waitFor, webSocketClient } from '@ficus/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Client } from 'graphql-ws';
import { repoRoot } from '../src/repo';
import { publishSubgraphs, subgraphsToPublish } from '../src/registry-setup';
import { Audit, auditOrders, OrderIntent, StockedProduct } from './scaled-audit';
import { GatewayClient, ScaledTestStack, startScaledTestStack } from './scaled-stack-harness';
import { Shopper, signUpShopper, stockedProduct } from './saga-helpers';
import { devAdmin } from './stack-harness';

const STATUS_CHANGED = 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status cancellationReason } }';
const PLACE_ORDER = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }';

/** Orders placed a second, spread over the two gateways. */
const ratePerSecond = 5;
/** A kill every this many answered placements, so that each fault meets orders in flight. */
const answersBetweenKills = 25;

/** One watched order: what its first subscription saw, and what a resubscription saw if that one ended in an error. */
interface Watch {
  intent: OrderIntent;
  recording: SubscriptionRecording;
  resubscribed?: SubscriptionRecording;
}

/**
 * Issue 13: the stack with two processes of every service that takes part in the saga, two
 * gateways, two registries and a three-node JetStream cluster, all real processes on one
 * PostgreSQL, while one of each is killed with SIGKILL under a steady order load.
 */
describe('the stack scaled to two processes per service, losing one of each to kill -9 under load', () => {
  let t: ScaledTestStack;
  let adminToken: string;
  const sockets: Client[] = [];

  beforeAll(async () => {
    t = await startScaledTestStack(
      'scaled',
      { orders: 2, inventory: 2, payments: 2, notifications: 2, gateway: 2, registry: 2 },
      {
        NATS_STREAM_REPLICAS: '3',
        PAYMENT_TIMEOUT_MS: '20000',
        SAGA_SWEEP_INTERVAL_MS: '500',
        // A killed orders process ends the subscriptions it served within about a second.
        SUBSCRIPTION_KEEP_ALIVE_MS: '1000',
        // Every client of this test is one IP address: the per-client budgets would refuse the load.
        RATE_LIMIT: 'off',
        SUBSCRIPTION_CONNECTIONS_PER_CLIENT: '500',
      },
    );
    adminToken = await waitFor(
      async () =>
        (await t.gateways[0]!.request('mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }', devAdmin))
          .data?.signIn?.token as string | undefined,
      { what: 'the admin to sign in' },
    );
  }, 240_000);

  afterAll(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
    await t?.dispose();
  }, 60_000);

  it('keeps every stream at three replicas on the cluster', async () => {
    const nc = await connect({ servers: t.cluster.url.split(','), name: 'scaled-test' });
    try {
      const jsm = await jetstreamManager(nc);
      const replicas: Record<string, number> = {};
      for await (const stream of jsm.streams.list()) replicas[stream.config.name] = stream.config.num_replicas;
      expect(Object.keys(replicas).sort()).toEqual(expect.arrayContaining(['INVENTORY', 'ORDERS', 'PAYMENTS']));
      expect(Object.values(replicas).every((n) => n === 3)).toBe(true);
    } finally {
      await nc.close();
    }
  });

  it('serves a schema published through one registry from both gateways, each following a different registry', async () => {
    const root = repoRoot();
    const products = subgraphsToPublish(root, (name) => Number(new URL(t.stack.urls[name]!).port)).find((s) => s.name === 'products')!;
    const probe = '{ __type(name: "Query") { fields { name } } }';
    const serves = async (gateway: GatewayClient) =>
      ((await gateway.request(probe)).data?.__type?.fields ?? []).some((f: { name: string }) => f.name === 'scaledStackProbe');
    expect(await serves(t.gateways[0]!)).toBe(false);
    expect(await serves(t.gateways[1]!)).toBe(false);

    const publishedAt = Date.now();
    // Through the second registry: the first gateway follows the first, which hears of it only through PostgreSQL.
    const supergraphId = await publishSubgraphs(t.stack.registryUrls[1]!, t.stack.registry.apiKey, [
      { ...products, sdl: `${products.sdl}\nextend type Query {\n  "Published by the scaled-stack test."\n  scaledStackProbe: String\n}\n` },
    ]);
    const served = await Promise.all(
      t.gateways.map((gateway, i) =>
        waitFor(async () => ((await serves(gateway)) && (await supergraphIdOf(gateway)) === supergraphId ? Date.now() - publishedAt : null), {
          timeoutMs: 10_000,
          what: `gateway ${i + 1} to serve the supergraph published through registry 2`,
        }),
      ),
    );
    process.stdout.write(`published through registry 2: gateway 1 (follows registry 1) served it after ${served[0]} ms, gateway 2 after ${served[1]} ms\n`);
  });

  it('settles every order once, oversells nothing and tells every customer once, with a NATS node, orders, inventory, payments and a gateway killed in turn', async () => {
    const shoppers: Shopper[] = [];
    for (let i = 0; i < 4; i++) shoppers.push(await signUpShopper(t.gateways[i % 2]!, `scaled-${i}`));
    // A scarce product runs out under the load (OUT_OF_STOCK), a plentiful one does not.
    const products: StockedProduct[] = [
      { id: await stockedProduct(t.gateways[0]!, adminToken, 'SCALED-SCARCE', 60), stock: 60 },
      { id: await stockedProduct(t.gateways[1]!, adminToken, 'SCALED-PLENTY', 10_000), stock: 10_000 },
    ];
    const ordersLeader = await streamLeader(t, 'ORDERS');
    const kills: { what: string; kill: () => Promise<void> }[] = [
      { what: `NATS node ${ordersLeader.name} (leader of the ORDERS stream)`, kill: () => ordersLeader.kill() },
      { what: 'orders (first process)', kill: () => t.stack.crash('orders') },
      { what: 'inventory (first process)', kill: () => t.stack.crash('inventory') },
      { what: 'payments (first process)', kill: () => t.stack.crash('payments') },
      { what: 'gateway 1', kill: () => t.stack.crash('gateway') },
    ];
    const survivingGateway = t.gateways[1]!;

    const intents: OrderIntent[] = [];
    const watches: Watch[] = [];
    const placements: Promise<void>[] = [];
    const errors = new Map<string, number>();
    let answered = 0;
    let retried = 0;
    const started = Date.now();
    const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`);
    const socketOf = new Map<string, Client>();
    const watchThrough = (gateway: number, shopper: Shopper) => {
      const key = `${gateway}\n${shopper.id}`;
      if (!socketOf.has(key)) {
        const socket = webSocketClient(t.gateways[gateway]!.url, { authorization: `Bearer ${shopper.token}` });
        sockets.push(socket);
        socketOf.set(key, socket);
      }
      return socketOf.get(key)!;
    };

    /** A client placing one order: on any failure it asks again with the same key, through the other gateway. */
    const place = async (n: number, intent: OrderIntent, shopper: Shopper, items: { productId: string; quantity: number }[]) => {
      const input = { items, paymentToken: intent.paymentToken, idempotencyKey: intent.idempotencyKey };
      for (let attempt = 0; Date.now() - started < 180_000; attempt++) {
        const gateway = (n + attempt) % 2;
        if (attempt > 0) {
          retried += 1;
          await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * attempt)));
        }
        const res = await t.gateways[gateway]!.request(PLACE_ORDER, { input }, shopper.token).catch((err: Error) => ({
          data: undefined,
          errors: [{ message: `${err.message}: ${String((err.cause as Error | undefined)?.message ?? '')}`, extensions: { code: 'NETWORK' } }],
        }));
        const id = res.data?.placeOrder?.id as string | undefined;
        if (id) {
          intent.orderId = id;
          answered += 1;
          if (n % 4 === 0) watches.push({ intent, recording: recordSubscription(watchThrough(gateway, shopper), STATUS_CHANGED, { id }) });
          return;
        }
        const code = res.errors?.[0]?.extensions?.code ?? 'NO_DATA';
        const message = `${code}: ${(res.errors?.[0]?.message ?? '').slice(0, 80)}`;
        errors.set(message, (errors.get(message) ?? 0) + 1);
      }
    };

    let kill = 0;
    for (let n = 0; kill < kills.length || answered < (kills.length + 1) * answersBetweenKills; n++) {
      const due = started + (n * 1000) / ratePerSecond;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      if (kill < kills.length && answered >= (kill + 1) * answersBetweenKills) {
        log(`kill -9 ${kills[kill]!.what} (${answered} placements answered)`);
        await kills[kill]!.kill();
        kill += 1;
      }
      const shopper = shoppers[n % shoppers.length]!;
      const paymentToken = n % 10 === 3 ? 'tok_declined' : n % 25 === 7 && n < 100 ? 'tok_timeout' : 'tok_visa';
      const intent: OrderIntent = { customerId: shopper.id, idempotencyKey: `scaled-${n}`, paymentToken };
      intents.push(intent);
      const product = n % 3 === 0 ? products[0]! : products[1]!;
      placements.push(place(n, intent, shopper, [{ productId: product.id, quantity: 1 + (n % 2) }]));
    }
    await Promise.all(placements);
    log(`load over: ${intents.length} orders placed by ${shoppers.length} shoppers, ${retried} retries; errors seen: ${JSON.stringify(Object.fromEntries(errors))}`);

    let audit: Audit = await auditOrders(t.databaseUrls, intents, products);
    const settled = (a: Audit) =>
      a.unsettled === 0 && a.heldReservations === 0 && a.notificationsMissing === 0 && a.moneyWrong === 0 && a.unplaced === 0;
    await waitFor(
      async () => {
        audit = await auditOrders(t.databaseUrls, intents, products);
        return settled(audit);
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'every order to settle, with its stock, money and notification' },
    ).catch(() => undefined);
    log(`books: ${JSON.stringify(audit)}`);

    // A subscription either saw every status, or ended with an error (its gateway or orders process
    // died) from which a resubscription through the surviving gateway shows the final status.
    await waitFor(() => watches.every((w) => w.recording.completed || w.recording.errors.length > 0), {
      timeoutMs: 20_000,
      what: 'every subscription to complete or end in an error',
    }).catch(() => undefined);
    // An error may come as the stream's last result (SUBGRAPH_SUBSCRIPTION_LOST, then complete) or end the socket.
    for (const watch of watches.filter((w) => w.recording.errors.length > 0)) {
      const shopper = shoppers.find((s) => s.id === watch.intent.customerId)!;
      watch.resubscribed = recordSubscription(watchThrough(1, shopper), STATUS_CHANGED, { id: watch.intent.orderId });
    }
    await waitFor(() => watches.every((w) => !w.resubscribed || w.resubscribed.completed || w.resubscribed.errors.length > 0), {
      timeoutMs: 20_000,
      what: 'every resubscription to complete',
    }).catch(() => undefined);
    const finalStatus = async (w: Watch) =>
      (await survivingGateway.request('query($id: ID!) { order(id: $id) { status } }', { id: w.intent.orderId }, shoppers.find((s) => s.id === w.intent.customerId)!.token))
        .data?.order?.status;
    const sawAll = async (recording: SubscriptionRecording, w: Watch) =>
      recording.completed &&
      recording.errors.length === 0 &&
      JSON.stringify(recording.values.map((v) => v.orderStatusChanged.status)) === JSON.stringify(['PENDING', await finalStatus(w)]);
    const subscriptions = { watched: watches.length, sawEveryStatus: 0, endedInErrorThenResubscribed: 0, hung: 0, wrong: 0, resubscribeFailed: 0 };
    for (const w of watches) {
      if (await sawAll(w.recording, w)) subscriptions.sawEveryStatus += 1;
      else if (!w.recording.completed && w.recording.errors.length === 0) subscriptions.hung += 1;
      else if (!w.resubscribed) {
        subscriptions.wrong += 1;
        log(`wrong: order ${w.intent.orderId} saw ${JSON.stringify(w.recording.values)}, now ${await finalStatus(w)}`);
      } else if (await sawAll(w.resubscribed, w)) subscriptions.endedInErrorThenResubscribed += 1;
      else {
        subscriptions.resubscribeFailed += 1;
        log(`resubscription failed: order ${w.intent.orderId} saw ${JSON.stringify(w.resubscribed.values)} ${JSON.stringify(w.resubscribed.errors)}`);
      }
    }
    const endings = new Map<string, number>();
    for (const w of watches.filter((w) => w.recording.errors.length > 0)) {
      const error = w.recording.errors[0]!;
      const ending = String(error.extensions?.code ?? error.code ?? error.message);
      endings.set(ending, (endings.get(ending) ?? 0) + 1);
    }
    log(`subscriptions ended by errors: ${JSON.stringify(Object.fromEntries(endings))}`);
    log(`subscriptions: ${JSON.stringify(subscriptions)}`);
    const hungIds = watches.filter((w) => !w.recording.completed && w.recording.errors.length === 0).map((w) => w.intent.orderId);
    if (hungIds.length > 0) log(`hung subscriptions: ${hungIds.join(', ')}`);

    // No process but the killed ones went down: losing a NATS node or a peer crashes nothing.
    const killed = ['orders', 'inventory', 'payments', 'gateway'];
    const exited = t.stack.services.filter((service) => !killed.includes(service.name) && !service.running).map((service) => service.name);
    log(`error lines logged per process: ${JSON.stringify(errorLinesPerProcess(t))}`);
    expect(exited).toEqual([]);
    expect(kill).toBe(kills.length);
    expect({
      unplaced: audit.unplaced,
      extraOrders: audit.extraOrders,
      unsettled: audit.unsettled,
      settled: audit.confirmed + audit.cancelled,
      cancelledWithoutReason: audit.cancelledWithoutReason,
      unexpectedOutcomes: audit.unexpectedOutcomes,
      chargedTwice: audit.chargedTwice,
      moneyWrong: audit.moneyWrong,
      oversoldUnits: audit.oversoldUnits,
      unbalancedProducts: audit.unbalancedProducts,
      soldNotConfirmed: audit.soldNotConfirmed,
      heldReservations: audit.heldReservations,
      notificationsMissing: audit.notificationsMissing,
      notificationsDuplicated: audit.notificationsDuplicated,
    }).toEqual({
      unplaced: 0,
      extraOrders: 0,
      unsettled: 0,
      settled: intents.length,
      cancelledWithoutReason: 0,
      unexpectedOutcomes: 0,
      chargedTwice: 0,
      moneyWrong: 0,
      oversoldUnits: 0,
      unbalancedProducts: 0,
      soldNotConfirmed: 0,
      heldReservations: 0,
      notificationsMissing: 0,
      notificationsDuplicated: 0,
    });
    // The scarce product ran out: the load did reach the point where overselling was possible.
    expect(audit.reasons.OUT_OF_STOCK ?? 0).toBeGreaterThan(0);
    expect(subscriptions).toEqual({ ...subscriptions, hung: 0, wrong: 0, resubscribeFailed: 0 });
    expect(subscriptions.watched).toBeGreaterThan(0);
  }, 300_000);
});

/** The lines each process logged at level error or fatal (their message and error), for the record. */
function errorLinesPerProcess(t: ScaledTestStack): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const service of t.stack.services) {
    const lines = fs.readFileSync(service.logFile, 'utf8').split('\n').filter((line) => /^\{"level":"(error|fatal)"/.test(line));
    if (lines.length === 0) continue;
    found[service.name] = lines.map((line) => {
      const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
      return `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message.slice(0, 160)}` : ''}`;
    });
  }
  return found;
}

/** The NATS node leading a stream's replicas now. */
async function streamLeader(t: ScaledTestStack, stream: string): Promise<TestNatsNode> {
  const nc = await connect({ servers: t.cluster.url.split(','), name: 'scaled-test' });
  try {
    const leader = (await (await jetstreamManager(nc)).streams.info(stream)).cluster?.leader;
    const node = t.cluster.nodes.find((n) => n.name === leader);
    if (!node) throw new Error(`no leader known for ${stream} (${leader})`);
    return node;
  } finally {
    await nc.close();
  }
}

/** The id of the supergraph a gateway serves, from its metrics. */
async function supergraphIdOf(gateway: GatewayClient): Promise<string | undefined> {
  const metrics = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
  return /^ficus_gateway_supergraph_info\{id="([0-9a-f]{64})"[^}]*\} 1$/m.exec(metrics)?.[1];
}
