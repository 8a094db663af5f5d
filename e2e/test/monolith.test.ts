import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  errorCodes,
  freePort,
  graphql,
  recordSubscription,
  startTestNatsServer,
  TestDatabase,
  TestNatsServer,
  waitFor,
  webSocketClient,
} from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { contractOperations } from '../src/operations';
import { stackServices } from '../src/services';
import { RunningStack, startStack } from '../src/stack';
import { placeOrder, settledOrder, signUpShopper, stockedProduct } from './saga-helpers';
import { createStackDatabases, devAdmin, TestStack } from './stack-harness';

/**
 * The contract's client operations against one stack, reduced to what must not depend on how
 * the stack is deployed: statuses, amounts, error codes, stock, and what the subscription saw.
 */
async function runContractOperations(t: TestStack, label: string) {
  const operations = contractOperations();
  const adminToken = await t.signIn(devAdmin.email, devAdmin.password);
  const shopper = await signUpShopper(t, `${label}-shopper`);
  const stranger = await signUpShopper(t, `${label}-stranger`);
  const catalog = await t.send('Catalog', { first: 10 });
  const productId = await stockedProduct(t, adminToken, `${label.toUpperCase()}-MUG`, 10, 1500);
  const restocked = await t.send('Restock', { productId, quantity: 5 }, adminToken);

  const paid = await placeOrder(t, shopper, [{ productId, quantity: 2 }], 'tok_visa');
  const paidId = paid.data.placeOrder.id as string;
  let client: Client | undefined;
  try {
    client = webSocketClient(t.stack.gatewayUrl, { authorization: `Bearer ${shopper.token}` });
    const watched = recordSubscription(client, operations.get('WatchOrder')!, { orderId: paidId });
    const confirmed = await settledOrder(t, shopper.token, paidId);
    await waitFor(() => watched.values.some((v) => v.orderStatusChanged?.status === 'CONFIRMED') || watched.errors.length > 0, {
      what: 'the subscription to see the order confirmed',
    });
    watched.stop();

    const declined = await placeOrder(t, shopper, [{ productId, quantity: 3 }], 'tok_declined');
    const cancelled = await settledOrder(t, shopper.token, declined.data.placeOrder.id);
    const stock = await waitFor(
      async () => {
        const res = await t.request('query($id: ID!) { product(id: $id) { stock { available reserved } } }', { id: productId });
        return res.data.product.stock.reserved === 0 ? res.data.product.stock : null;
      },
      { what: 'no reservation to be held' },
    );
    const mine = await waitFor(
      async () => {
        const res = await t.send('MyOrders', {}, shopper.token);
        return res.data?.me?.notifications?.length >= 2 ? res : null;
      },
      { what: 'the notifications of both orders' },
    );
    const anonymous = await t.send('PlaceOrder', { input: { items: [{ productId, quantity: 1 }], paymentToken: 'tok_visa', idempotencyKey: `${label}-anon` } });
    const strangerRead = await t.request('query($id: ID!) { order(id: $id) { id } }', { id: paidId }, stranger.token);
    return {
      paidId,
      outcome: {
        catalog: { errors: catalog.errors ?? null, hasPageInfo: typeof catalog.data?.products?.pageInfo?.hasNextPage === 'boolean' },
        restock: { errors: restocked.errors ?? null, available: restocked.data?.restock?.available },
        placed: { status: paid.data.placeOrder.status, total: paid.data.placeOrder.total },
        confirmed: { status: confirmed.status, cancellationReason: confirmed.cancellationReason, payment: confirmed.payment },
        watched: { statuses: [...new Set(watched.values.map((v) => v.orderStatusChanged?.status))], errors: watched.errors.map((e) => e.extensions?.code ?? e.message) },
        cancelled: { status: cancelled.status, cancellationReason: cancelled.cancellationReason, payment: cancelled.payment?.status ?? null },
        stock,
        myOrders: {
          totalCount: mine.data.me.orders.totalCount,
          statuses: mine.data.me.orders.edges.map((e: any) => e.node.status).sort(),
          notifications: mine.data.me.notifications.map((n: any) => n.kind).sort(),
        },
        anonymousOrder: errorCodes(anonymous),
        strangerReadsOrder: errorCodes(strangerRead),
      },
    };
  } finally {
    await client?.dispose();
  }
}

/** Processes of the stack by name, and the lines each service logged for a GraphQL operation it served. */
const processNames = (stack: RunningStack) => stack.services.map((service) => service.name).sort();
const servedOperations = (dataDir: string, logName: string, service: string) => {
  const file = path.join(dataDir, 'logs', `${logName}.log`);
  if (!fs.existsSync(file)) return 0;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"graphql operation"') && line.includes(`"service":"${service}"`)).length;
};

describe('the modular monolith: every subgraph and the gateway in one process, and one module extracted by configuration', () => {
  let nats: TestNatsServer;
  let dataDir: string;
  let databases: TestDatabase[] = [];
  let databaseUrls: Record<string, string>;
  let ports: Record<string, number>;
  let current: TestStack | undefined;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-monolith-'));
    ({ databases, databaseUrls } = await createStackDatabases('monolith'));
    ports = {};
    for (const spec of stackServices) ports[spec.name] = await freePort();
  });

  afterAll(async () => {
    await current?.dispose();
    for (const db of databases) await db.drop();
    await nats?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** The stack on this file's databases, NATS server and ports: what persists across a restart persists here too. */
  async function start(extract?: string[]): Promise<TestStack> {
    const stack = await startStack({
      dataDir,
      natsUrl: nats.url,
      nodeEnv: 'test',
      logLevel: 'info',
      ports,
      databaseUrls,
      devAdmin,
      monolith: { extract },
    });
    const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
    const operations = contractOperations();
    const request: TestStack['request'] = (query, variables, token) => graphql(stack.gatewayUrl, query, variables, auth(token));
    return {
      stack,
      nats,
      dataDir,
      databaseUrls,
      request,
      send: (name, variables, token) => request(operations.get(name)!, variables, token),
      async signIn(email, password) {
        const res = await request('mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }', { e: email, p: password });
        if (!res.data?.signIn) throw new Error(`sign-in failed: ${JSON.stringify(res.errors)}`);
        return res.data.signIn.token as string;
      },
      dispose: () => stack.stop(),
    };
  }

  let monolithRun: Awaited<ReturnType<typeof runContractOperations>>;

  it('serves the client operations and the saga (a paid order CONFIRMED, a declined one CANCELLED) from one process calling its modules in process', async () => {
    current = await start();
    // legacy-shop is not a module of the monolith: it is the legacy system being strangled, and runs on its own.
    expect(processNames(current.stack)).toEqual(['legacy-shop', 'monolith', 'registry']);
    monolithRun = await runContractOperations(current, 'mono');
    expect(monolithRun.outcome).toMatchObject({
      catalog: { errors: null, hasPageInfo: true },
      placed: { status: 'PENDING', total: { amount: 3000, currency: 'USD' } },
      confirmed: { status: 'CONFIRMED', cancellationReason: null, payment: { status: 'SUCCEEDED', amount: { amount: 3000 } } },
      watched: { errors: [] },
      cancelled: { status: 'CANCELLED', cancellationReason: 'PAYMENT_DECLINED', payment: 'DECLINED' },
      stock: { available: 13, reserved: 0 },
      myOrders: { totalCount: 2, statuses: ['CANCELLED', 'CONFIRMED'] },
      anonymousOrder: ['UNAUTHORIZED_FIELD_OR_TYPE'],
      strangerReadsOrder: ['FORBIDDEN'],
    });
    expect(monolithRun.outcome.watched.statuses).toContain('CONFIRMED');
    // The orders module answered inside the monolith's process, and nothing else served it.
    expect(servedOperations(dataDir, 'monolith', 'orders')).toBeGreaterThan(0);
    expect(servedOperations(dataDir, 'orders', 'orders')).toBe(0);
  });

  it('gives the same results with orders extracted into its own service, on the same data, by configuration only', async () => {
    await current?.dispose();
    current = undefined;
    const monolithOrdersServed = servedOperations(dataDir, 'monolith', 'orders');
    current = await start(['orders']);
    expect(processNames(current.stack)).toEqual(['legacy-shop', 'monolith', 'orders', 'registry']);

    const extractedRun = await runContractOperations(current, 'extracted');
    expect(extractedRun.outcome).toEqual(monolithRun.outcome);
    // Orders now answers over HTTP in its own process; the monolith no longer serves it.
    expect(servedOperations(dataDir, 'orders', 'orders')).toBeGreaterThan(0);
    expect(servedOperations(dataDir, 'monolith', 'orders')).toBe(monolithOrdersServed);

    // What the monolith's orders module wrote is the extracted service's: the same database.
    const admin = await current.signIn(devAdmin.email, devAdmin.password);
    const earlier = await current.request('query($id: ID!) { order(id: $id) { id status } }', { id: monolithRun.paidId }, admin);
    expect(earlier.data?.order ?? earlier.errors).toEqual({ id: monolithRun.paidId, status: 'CONFIRMED' });
  });

  it('stops the monolith gracefully on SIGTERM with sagas in flight, and finishes every one of them once it is back', async () => {
    const t = current!;
    const adminToken = await t.signIn(devAdmin.email, devAdmin.password);
    const shopper = await signUpShopper(t, 'sigterm');
    const productId = await stockedProduct(t, adminToken, 'SIGTERM-MUG', 20);
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push(await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_visa'));
    const monolith = t.stack.services.find((service) => service.name === 'monolith')!;
    process.kill(monolith.pid!, 'SIGTERM');
    expect(await monolith.exited).toBe(0);

    await t.stack.restart('monolith');
    const settled = await Promise.all(placed.map((res) => settledOrder(t, shopper.token, res.data.placeOrder.id)));
    expect(settled.map((order) => order.status)).toEqual(Array(5).fill('CONFIRMED'));
    const stock = await waitFor(
      async () => {
        const res = await t.request('query($id: ID!) { product(id: $id) { stock { available reserved } } }', { id: productId });
        return res.data?.product?.stock?.reserved === 0 ? res.data.product.stock : null;
      },
      { what: 'every reservation to become a sale' },
    );
    expect(stock).toEqual({ available: 15, reserved: 0 });
  });
});
