import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { graphql, webSocketClient } from '@ficus/testkit';
import { connect as connectNats } from '@nats-io/transport-node';
import { benchShopper } from './bench-shopper';
import { startBenchStack } from './bench-stack';
import { cpuSeconds, percentiles, query } from './measure';

/**
 * Subscription fan-out through one gateway, every service a real process: S subscribers of
 * `orderStatusChanged` spread over N orders (S/N each) and C WebSocket connections, all in
 * this one client process (which competes with the stack for the same cores).
 *
 * 1. Places N orders with `tok_timeout` (payments never answers, PAYMENT_TIMEOUT_MS is long), so
 *    they stay PENDING until cancelled.
 * 2. Opens C connections with one subscription each, then the rest, waiting each time until
 *    every subscriber has had its first event (PENDING); samples the gateway's and the orders
 *    subgraph's memory (/metrics) before, after the connections and after all subscriptions.
 * 3. Cancels every order as its customer (`cancelOrder`), all at once or at --cancel-rate per
 *    second, and takes each subscriber's receive time of CANCELLED (Date.now()). The commit time
 *    is the order's `updated_at` read afterwards from the orders database (set by the orders
 *    process just before its transaction commits).
 *
 * All subscribers use the same shopper's token, so the 10 of one order share an identity (a
 * customer's devices and tabs) and the gateway completes each event once for them;
 * --distinct-operations takes that sharing away.
 *
 *   npm run bench:subscriptions -- --db postgres --orders 100 --subscribers 1000 --connections 100
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: 'postgres' },
      orders: { type: 'string', default: '100' },
      subscribers: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '100' },
      // Orders cancelled per second; 0 = all at once (as fast as --cancel-concurrency allows).
      'cancel-rate': { type: 'string', default: '0' },
      'cancel-concurrency': { type: 'string', default: '20' },
      // full: the orders fields and `customer { name }` (a fetch from users per event per subscriber); primary: orders fields only.
      fields: { type: 'string', default: 'full' },
      'settle-ms': { type: 'string', default: '5000' },
      // Each subscriber sends an operation of its own name, so the gateway shares nothing between
      // them (no document, no run of the rest of the plan): as if every subscriber were another user.
      'distinct-operations': { type: 'boolean', default: false },
      // Full garbage collection in the gateway and orders before each memory sample (a heap
      // snapshot on SIGUSR2 collects first; the snapshot is deleted), so heap figures hold no garbage.
      'exact-heap': { type: 'boolean', default: false },
    },
  });
  const kind = values.db === 'sqlite' ? 'sqlite' : 'postgres';
  const orderCount = Number(values.orders);
  const subscriberCount = Number(values.subscribers);
  const connectionCount = Math.min(Number(values.connections), subscriberCount);
  const cancelRate = Number(values['cancel-rate']);
  const cancelConcurrency = Number(values['cancel-concurrency']);
  const settleMs = Number(values['settle-ms']);
  const selection =
    values.fields === 'primary' ? 'id status cancellationReason updatedAt' : 'id status cancellationReason updatedAt customer { name }';
  const log = (message: string) => process.stderr.write(`[${new Date().toISOString()}] ${message} (load ${loadavg()})\n`);

  const clients: ReturnType<typeof webSocketClient>[] = [];
  const bench = await startBenchStack({
    kind,
    label: 'benchsub',
    // Orders paid with tok_timeout stay PENDING this long: far longer than a run.
    env: (dataDir) => ({
      PAYMENT_TIMEOUT_MS: '3600000',
      SUBSCRIPTIONS_PER_CONNECTION: String(Math.max(100, Math.ceil(subscriberCount / connectionCount) + 1)),
      // Every connection comes from this one process, i.e. one client address.
      SUBSCRIPTION_CONNECTIONS_PER_CLIENT: String(connectionCount + 1),
      SUBSCRIPTIONS_PER_CLIENT: String(subscriberCount + 1),
      ...(values['exact-heap'] ? { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDirOf(dataDir)}` } : {}),
    }),
  });
  const { stack, databaseUrls } = bench;
  const snapshotDir = snapshotDirOf(bench.dataDir);
  try {
    const url = stack.gatewayUrl;
    const gatewayMetrics = url.replace(/\/graphql$/, '/metrics');
    const ordersMetrics = stack.urls.orders!.replace(/\/graphql$/, '/metrics');
    const running = stack;
    const sampleMemory = async () => {
      if (values['exact-heap']) {
        for (const name of ['gateway', 'orders']) process.kill(running.services.find((s) => s.name === name)!.pid!, 'SIGUSR2');
        await sleep(500);
        // Each answers /metrics again once its snapshot is written.
        await Promise.all([metrics(gatewayMetrics), metrics(ordersMetrics)]);
        for (const file of fs.readdirSync(snapshotDir)) fs.rmSync(path.join(snapshotDir, file), { force: true });
      }
      return memorySample(gatewayMetrics, ordersMetrics, values['exact-heap'] ? 1 : 5);
    };
    log(`stack up, gateway ${url}`);
    const shopper = await benchShopper(url, { sku: 'BENCH-SUB-1', email: 'bench-subs@example.com', paymentToken: 'tok_timeout' });
    const { place } = shopper;
    const shopperToken = shopper.token;
    const shopperAuth = { authorization: `Bearer ${shopperToken}` };
    const orderIds: string[] = [];
    for (let i = 0; i < orderCount; i += 10) {
      const batch = await Promise.all(Array.from({ length: Math.min(10, orderCount - i) }, (_, j) => place(`order-${i + j}`)));
      for (const res of batch) {
        if (res.errors) throw new Error(`placeOrder failed: ${JSON.stringify(res.errors)}`);
        orderIds.push(res.data.placeOrder.id as string);
      }
    }
    log(`placed ${orderIds.length} orders (tok_timeout, PENDING)`);
    await sleep(settleMs);
    const memBaseline = await sampleMemory();
    log(`baseline memory ${JSON.stringify(memBaseline)}`);

    // Subscribers: subscriber i watches order i % N on connection i % C.
    for (let c = 0; c < connectionCount; c++) clients.push(webSocketClient(url, { authorization: `Bearer ${shopperToken}` }));
    const queryFor = (i: number) =>
      `subscription ${values['distinct-operations'] ? `Watch${i}` : 'Watch'}($id: ID!) { orderStatusChanged(orderId: $id) { ${selection} } }`;
    const subs: Subscriber[] = [];
    const attach = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const sub: Subscriber = { orderId: orderIds[i % orderIds.length]!, statuses: [], errors: [], completed: false, cancelledAt: null, firstAt: null };
        subs.push(sub);
        clients[i % connectionCount]!.subscribe(
          { query: queryFor(i), variables: { id: sub.orderId } },
          {
            next: (value: any) => {
              const now = Date.now();
              const status = value.data?.orderStatusChanged?.status as string | undefined;
              if (value.errors) sub.errors.push(value.errors[0]?.extensions?.code ?? value.errors[0]?.message);
              if (!status) return;
              sub.statuses.push(status);
              if (sub.firstAt === null) sub.firstAt = now;
              if (status === 'CANCELLED') sub.cancelledAt = now;
            },
            error: (err: any) => void sub.errors.push(String(err?.[0]?.message ?? err?.message ?? err?.reason ?? err?.code ?? err)),
            complete: () => void (sub.completed = true),
          },
        );
      }
    };
    const waitFirstEvents = async (what: string) => {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && subs.some((s) => s.firstAt === null && s.errors.length === 0)) await sleep(100);
      const missing = subs.filter((s) => s.firstAt === null).length;
      const errored = subs.filter((s) => s.errors.length > 0).length;
      log(`${what}: ${subs.length - missing} of ${subs.length} have their first event, ${errored} with errors`);
    };
    let started = Date.now();
    attach(0, connectionCount);
    await waitFirstEvents(`${connectionCount} connections × 1 subscription`);
    const attachConnectionsMs = Date.now() - started;
    await sleep(settleMs);
    const memConnections = await sampleMemory();
    log(`after connections ${JSON.stringify(memConnections)}`);
    started = Date.now();
    attach(connectionCount, subscriberCount);
    await waitFirstEvents(`all ${subscriberCount} subscriptions`);
    const attachRestMs = Date.now() - started;
    await sleep(settleMs);
    const memAll = await sampleMemory();
    log(`after all subscriptions ${JSON.stringify(memAll)}`);
    const attachErrors = subs.filter((s) => s.errors.length > 0).length;

    // When each order's cancellation reached NATS: splits the latency into the outbox relay's
    // part (commit to NATS) and the subscription path's (NATS to the client).
    const nats = await connectNats({ servers: bench.natsUrl, name: 'bench-observer' });
    const publishedAt = new Map<string, number>();
    nats.subscribe('orders.order.cancelled', {
      callback: (err, message) => {
        if (err) return;
        const event = JSON.parse(new TextDecoder().decode(message.data)) as { aggregateId: string };
        if (!publishedAt.has(event.aggregateId)) publishedAt.set(event.aggregateId, Date.now());
      },
    });
    await nats.flush();

    // Cancel every order as its customer.
    const cpuBefore = cpuSeconds(stack);
    const ownCpuBefore = process.cpuUsage();
    const cancelErrors = new Map<string, number>();
    const cancelled = new Set<string>();
    const cancelSentAt = new Map<string, number>();
    const cancelStarted = Date.now();
    const cancel = async (orderId: string) => {
      cancelSentAt.set(orderId, Date.now());
      try {
        const res = await graphql(url, 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }', { id: orderId }, shopperAuth);
        if (res.errors) cancelErrors.set(res.errors[0]!.message, (cancelErrors.get(res.errors[0]!.message) ?? 0) + 1);
        else cancelled.add(orderId);
      } catch (err) {
        const message = String((err as Error).cause ?? err);
        cancelErrors.set(message, (cancelErrors.get(message) ?? 0) + 1);
      }
    };
    if (cancelRate > 0) {
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < orderIds.length; i++) {
        const wait = cancelStarted + (i * 1000) / cancelRate - Date.now();
        if (wait > 0) await sleep(wait);
        inFlight.push(cancel(orderIds[i]!));
      }
      await Promise.all(inFlight);
    } else {
      let next = 0;
      await Promise.all(
        Array.from({ length: cancelConcurrency }, async () => {
          while (next < orderIds.length) await cancel(orderIds[next++]!);
        }),
      );
    }
    const cancelsDoneAt = Date.now();
    log(`cancelled ${cancelled.size} of ${orderIds.length} orders in ${cancelsDoneAt - cancelStarted} ms`);
    const expected = subs.filter((s) => cancelled.has(s.orderId));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && expected.some((s) => s.cancelledAt === null && !s.completed)) await sleep(50);
    await sleep(500);
    const cpuAfter = cpuSeconds(stack);
    const ownCpu = process.cpuUsage(ownCpuBefore);

    const committedAt = await commitTimes(databaseUrls.orders!, kind);
    const received = expected.filter((s) => s.cancelledAt !== null);
    const latencies = received.map((s) => s.cancelledAt! - committedAt.get(s.orderId)!).sort((a, b) => a - b);
    const commitToNats = [...publishedAt].map(([id, at]) => at - committedAt.get(id)!).sort((a, b) => a - b);
    const natsToClient = received.filter((s) => publishedAt.has(s.orderId)).map((s) => s.cancelledAt! - publishedAt.get(s.orderId)!).sort((a, b) => a - b);
    await nats.close();
    const fromRequest = received.map((s) => s.cancelledAt! - cancelSentAt.get(s.orderId)!).sort((a, b) => a - b);
    const firstCommit = Math.min(...[...cancelled].map((id) => committedAt.get(id)!));
    const lastDelivery = Math.max(...received.map((s) => s.cancelledAt!));
    const statusSequences = new Map<string, number>();
    for (const s of subs) statusSequences.set(s.statuses.join('>'), (statusSequences.get(s.statuses.join('>')) ?? 0) + 1);
    const errorCounts = new Map<string, number>();
    for (const s of subs) for (const e of s.errors) errorCounts.set(e, (errorCounts.get(e) ?? 0) + 1);
    const perSub = (after: MemorySample, before: MemorySample, n: number) => ({
      rssKB: round((after.rss - before.rss) / 1024 / n),
      heapUsedKB: round((after.heapUsed - before.heapUsed) / 1024 / n),
    });
    const report = {
      database: kind,
      orders: orderIds.length,
      subscribers: subs.length,
      connections: connectionCount,
      fields: values.fields,
      distinctOperations: values['distinct-operations'],
      exactHeap: values['exact-heap'],
      cancelRate: cancelRate > 0 ? cancelRate : `all at once (${cancelConcurrency} in flight)`,
      attachMs: { connections: attachConnectionsMs, rest: attachRestMs },
      attachErrors,
      openAtGateway: memAll.gatewayOpen,
      openAtOrders: memAll.ordersOpen,
      memoryMB: { baseline: mb(memBaseline), afterConnections: mb(memConnections), afterAll: mb(memAll) },
      gatewayPerSubscription: {
        includingConnections: perSub(memAll, memBaseline, subs.length),
        marginal: perSub(memAll, memConnections, subs.length - connectionCount),
      },
      ordersPerSubscription: {
        rssKB: round((memAll.ordersRss - memBaseline.ordersRss) / 1024 / subs.length),
        heapUsedKB: round((memAll.ordersHeapUsed - memBaseline.ordersHeapUsed) / 1024 / subs.length),
      },
      cancelled: cancelled.size,
      cancelErrors: Object.fromEntries([...cancelErrors].slice(0, 5)),
      cancelSeconds: round((cancelsDoneAt - cancelStarted) / 1000),
      deliveriesExpected: expected.length,
      deliveriesReceived: received.length,
      lost: expected.length - received.length,
      completed: subs.filter((s) => s.completed).length,
      statusSequences: Object.fromEntries(statusSequences),
      errors: Object.fromEntries(errorCounts),
      commitToClientMs: percentiles(latencies),
      commitToNatsMs: percentiles(commitToNats),
      natsToClientMs: percentiles(natsToClient),
      cancelRequestToClientMs: percentiles(fromRequest),
      deliveriesPerSecond: round(received.length / ((lastDelivery - firstCommit) / 1000)),
      cpuSeconds: {
        ...Object.fromEntries([...cpuAfter].map(([name, s]) => [name, round(s - (cpuBefore.get(name) ?? s))])),
        benchClient: round((ownCpu.user + ownCpu.system) / 1e6),
      },
      loadAverage: loadavg(),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const client of clients) await client.dispose();
    await bench.stop();
  }
}

interface Subscriber {
  orderId: string;
  statuses: string[];
  errors: string[];
  completed: boolean;
  firstAt: number | null;
  cancelledAt: number | null;
}

interface MemorySample {
  rss: number;
  heapUsed: number;
  gatewayOpen: number;
  ordersRss: number;
  ordersHeapUsed: number;
  ordersOpen: number;
}

/** Median of `count` samples a second apart, of the gateway's and the orders subgraph's memory. */
async function memorySample(gatewayMetrics: string, ordersMetrics: string, count: number): Promise<MemorySample> {
  const samples: MemorySample[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(1000);
    const [g, o] = await Promise.all([metrics(gatewayMetrics), metrics(ordersMetrics)]);
    samples.push({
      rss: g.get('process_resident_memory_bytes') ?? NaN,
      heapUsed: g.get('nodejs_heap_size_used_bytes') ?? NaN,
      gatewayOpen: g.get('ficus_gateway_subscriptions_open') ?? NaN,
      ordersRss: o.get('process_resident_memory_bytes') ?? NaN,
      ordersHeapUsed: o.get('nodejs_heap_size_used_bytes') ?? NaN,
      ordersOpen: o.get('ficus_subscriptions_open') ?? NaN,
    });
  }
  const median = (key: keyof MemorySample) => samples.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(count / 2)]!;
  return {
    rss: median('rss'),
    heapUsed: median('heapUsed'),
    gatewayOpen: median('gatewayOpen'),
    ordersRss: median('ordersRss'),
    ordersHeapUsed: median('ordersHeapUsed'),
    ordersOpen: median('ordersOpen'),
  };
}

/** Each metric's value summed over its label sets. */
async function metrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})? (\S+)/.exec(line);
    if (m) values.set(m[1]!, (values.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return values;
}

function mb(s: MemorySample) {
  return {
    gatewayRss: round(s.rss / 2 ** 20),
    gatewayHeapUsed: round(s.heapUsed / 2 ** 20),
    ordersRss: round(s.ordersRss / 2 ** 20),
    ordersHeapUsed: round(s.ordersHeapUsed / 2 ** 20),
  };
}

async function commitTimes(orders: string, kind: 'postgres' | 'sqlite'): Promise<Map<string, number>> {
  const rows = await query(orders, kind, "SELECT id, updated_at FROM orders WHERE status = 'CANCELLED'");
  return new Map(rows.map((r) => [String(r.id), new Date(r.updated_at).getTime()]));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number) => Math.round(n * 10) / 10;
/** Where heap snapshots go with --exact-heap; created on first use, deleted with the data folder. */
function snapshotDirOf(dataDir: string): string {
  const dir = path.join(dataDir, 'snapshots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
