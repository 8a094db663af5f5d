import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { connectNats } from '@ficus/events';
import { graphql, waitFor } from '@ficus/testkit';
import { jetstream } from '@nats-io/jetstream';
import pino from 'pino';
import { contractOperations } from '../src/operations';
import { repoRoot } from '../src/repo';
import { alertExpressions, dashboardExpressions, familiesOf, hasNumericSample, isExported, metricNamesIn, sampleSum, scrapeAll } from './metrics-scrape';
import { settledOrder, signUpShopper, stockedProduct } from './saga-helpers';
import { devAdmin, startTestStack, TestStack } from './stack-harness';

const productsSdl = () => fs.readFileSync(path.join(repoRoot(), 'subgraphs/products/schema.graphql'), 'utf8');
/** The products SDL without `Product.sku` (the input field of the same name stays). */
const productsWithoutSku = () =>
  productsSdl().replace(/^type Product @key\(fields: "id"\) \{\n  id: ID!\n  sku: String!\n/m, 'type Product @key(fields: "id") {\n  id: ID!\n');

describe('the gateway and the schema registry of the launched stack', () => {
  let t: TestStack;
  let scratch: string;

  beforeAll(async () => {
    t = await startTestStack('registry', { USAGE_REPORT_INTERVAL_MS: '500' });
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-registry-e2e-'));
  });

  afterAll(async () => {
    await t?.dispose();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const registryGql = async (query: string, variables: Record<string, unknown>) => {
    const response = await fetch(`${t.stack.registry.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.stack.registry.apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: unknown[] };
  };

  it('reports the Catalog operations a storefront sent, so a check removing Product.sku fails naming them and the client', async () => {
    const catalog = contractOperations().get('Catalog')!;
    const client = { 'apollographql-client-name': 'storefront', 'apollographql-client-version': '1.4.0' };
    for (let i = 0; i < 4; i += 1) {
      const res = await graphql(t.stack.gatewayUrl, catalog, { first: 5 }, client);
      expect(res.errors).toBeUndefined();
    }

    // The gateway sends usage every 500 ms here; wait until a check sees all four.
    await waitFor(
      async () => {
        const res = await registryGql(
          `mutation($input: CheckSubgraphInput!) {
            checkSubgraph(input: $input) { changes { coordinate affectedOperations { name count clients { name version count } } } }
          }`,
          { input: { ref: t.stack.registry.graphRef, name: 'products', sdl: productsWithoutSku() } },
        );
        const sku = res.data?.checkSubgraph.changes.find((c: { coordinate: string }) => c.coordinate === 'Product.sku');
        const operation = sku?.affectedOperations.find((o: { name: string }) => o.name === 'Catalog');
        return operation?.count === 4 && operation.clients[0]?.name === 'storefront';
      },
      { timeoutMs: 15_000, what: 'the Catalog usage to reach the registry' },
    );

    const schema = path.join(scratch, 'products-without-sku.graphql');
    fs.writeFileSync(schema, productsWithoutSku());
    const cli = path.join(repoRoot(), 'schema-registry/dist/src/cli.js');
    const check = await promisify(execFile)(process.execPath, [cli, 'subgraph', 'check', t.stack.registry.graphRef, '--name', 'products', '--schema', schema], {
      env: { ...process.env, FICUS_REGISTRY_URL: t.stack.registry.url, FICUS_API_KEY: t.stack.registry.apiKey },
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (err: { code: number; stdout: string; stderr: string }) => err,
    );

    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/error: check failed: .*Product\.sku \(used by Catalog by storefront 1\.4\.0\)/);
  });

  it('serves a field published to the registry within a second of the publish answer', async () => {
    const withColour = productsSdl().replace(/^type Product @key\(fields: "id"\) \{\n/m, '$&  "Published by the test: nothing resolves it."\n  colour: String\n');
    const publish = await registryGql(
      'mutation($input: PublishSubgraphInput!) { publishSubgraph(input: $input) { published } }',
      { input: { ref: t.stack.registry.graphRef, name: 'products', sdl: withColour, routingUrl: t.stack.urls.products } },
    );
    expect(publish.data?.publishSubgraph.published).toBe(true);
    const published = performance.now();

    await waitFor(
      async () => {
        const res = await graphql(t.stack.gatewayUrl, '{ __type(name: "Product") { fields { name } } }');
        return res.data?.__type.fields.some((f: { name: string }) => f.name === 'colour');
      },
      { timeoutMs: 1_000, intervalMs: 10, what: 'the gateway to serve Product.colour' },
    );
    process.stdout.write(`npm start stack: publish to served in ${(performance.now() - published).toFixed(0)} ms\n`);

    const catalog = await t.send('Catalog', { first: 5 });
    expect(catalog.errors).toBeUndefined();
  });

  it('exports every series of docs/metrics.md with values after an order, a refusal, a dead letter, a check and a publish, and logs each operation with its trace id', async () => {
    const adminToken = await t.signIn(devAdmin.email, devAdmin.password);
    const shopper = await signUpShopper(t, 'metrics');
    const productId = await stockedProduct(t, adminToken, 'METRICS-1', 5);
    const traceId = randomBytes(16).toString('hex');
    const headers = {
      authorization: `Bearer ${shopper.token}`,
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      'apollographql-client-name': 'metrics-e2e',
      'apollographql-client-version': '2.0.1',
    };
    const placeOrder = contractOperations().get('PlaceOrder')!;
    const order = (items: unknown) => ({ input: { items, paymentToken: 'tok_visa', idempotencyKey: `metrics-${Math.random()}` } });
    // Orders hears of the product from an event: retried until it has.
    const placed = await waitFor(
      async () => {
        const res = await graphql(t.stack.gatewayUrl, placeOrder, order([{ productId, quantity: 1 }]), headers);
        return res.errors?.some((e) => /unknown product/i.test(e.message)) ? null : res;
      },
      { what: 'orders to hear of the product' },
    );
    expect(placed.errors).toBeUndefined();
    expect((await settledOrder(t, shopper.token, placed.data.placeOrder.id)).status).toBe('CONFIRMED');
    // Refused by orders (a subgraph's GraphQL error), and by the gateway's alias limit (MAX_ALIASES 30).
    expect((await graphql(t.stack.gatewayUrl, placeOrder, order([{ productId, quantity: 0 }]), headers)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
    expect((await graphql(t.stack.gatewayUrl, `{ ${aliases} }`)).status).toBe(400);

    const nc = await connectNats({ url: t.nats.url, name: 'metrics-test', logger: pino({ level: 'silent' }) });
    try {
      await jetstream(nc).publish('orders.order.placed', new TextEncoder().encode('{"not":"an envelope"}'), { msgID: `unreadable-${traceId}` });
    } finally {
      await nc.close();
    }
    const check = await registryGql('mutation($input: CheckSubgraphInput!) { checkSubgraph(input: $input) { passed } }', {
      input: { ref: t.stack.registry.graphRef, name: 'users', sdl: fs.readFileSync(path.join(repoRoot(), 'subgraphs/users/schema.graphql'), 'utf8') },
    });
    expect(check.data?.checkSubgraph.passed).toBe(true);
    const publish = await registryGql('mutation($input: PublishSubgraphInput!) { publishSubgraph(input: $input) { published } }', {
      input: { ref: t.stack.registry.graphRef, name: 'users', sdl: fs.readFileSync(path.join(repoRoot(), 'subgraphs/users/schema.graphql'), 'utf8'), routingUrl: t.stack.urls.users },
    });
    expect(publish.data?.publishSubgraph.published).toBe(true);

    // The dead letter and the saga's last step land asynchronously: wait for both, then read everything once.
    const scraped = await waitFor(
      async () => {
        const all = await scrapeAll(t);
        const ready =
          sampleSum(all.inventory!, 'messaging_dead_letters_total', { messaging_destination_name: 'ORDERS' }) > 0 &&
          sampleSum(all.orders!, 'saga_outcomes_total', { saga: 'order', outcome: 'CONFIRMED', reason: 'none' }) > 0;
        return ready ? all : null;
      },
      { timeoutMs: 30_000, what: 'the dead letter and the saga outcome to be counted' },
    );

    const gateway = scraped.gateway!;
    const operations = 'graphql_gateway_operation_duration_seconds_count';
    expect(sampleSum(gateway, operations, { graphql_operation_name: 'PlaceOrder', graphql_operation_type: 'mutation', outcome: 'success' })).toBeGreaterThan(0);
    expect(sampleSum(gateway, operations, { graphql_operation_name: 'PlaceOrder', outcome: 'invalid' })).toBeGreaterThan(0);
    expect(sampleSum(gateway, operations, { graphql_operation_name: '(unvalidated)', outcome: 'limit' })).toBe(1);
    expect(sampleSum(gateway, 'graphql_gateway_operation_refusals_total', { reason: 'limit', code: 'MAX_ALIASES_LIMIT' })).toBe(1);
    for (const subgraph of ['users', 'products', 'inventory', 'orders', 'payments']) {
      expect({ subgraph, fetches: sampleSum(gateway, 'graphql_gateway_subgraph_fetch_duration_seconds_count', { subgraph_name: subgraph }) > 0 }).toEqual({ subgraph, fetches: true });
    }
    expect(sampleSum(gateway, 'graphql_gateway_subgraph_fetch_errors_total', { subgraph_name: 'orders', error_type: 'graphql_error' })).toBeGreaterThan(0);
    expect(hasNumericSample(gateway, 'graphql_gateway_active_subscriptions')).toBe(true);

    for (const subgraph of ['users', 'products', 'inventory', 'orders', 'payments', 'notifications']) {
      const text = scraped[subgraph]!;
      const families = familiesOf(text);
      expect({ subgraph, backlog: hasNumericSample(text, 'outbox_backlog_events'), age: hasNumericSample(text, 'outbox_oldest_event_age_seconds') }).toEqual({ subgraph, backlog: true, age: true });
      expect({ subgraph, families: ['messaging_consumer_lag_messages', 'messaging_dead_letters_total', 'saga_outcomes_total'].filter((f) => !families.has(f)) }).toEqual({ subgraph, families: [] });
    }
    for (const consumer of ['inventory', 'orders', 'payments', 'notifications']) {
      expect({ consumer, lag: hasNumericSample(scraped[consumer]!, 'messaging_consumer_lag_messages') }).toEqual({ consumer, lag: true });
    }
    // Products published events all along (the product created above among them).
    expect(sampleSum(scraped.products!, 'ficus_outbox_published_total')).toBeGreaterThan(0);

    const registry = scraped.registry!;
    expect(sampleSum(registry, 'schema_registry_publishes_total')).toBeGreaterThan(0);
    expect(sampleSum(registry, 'schema_registry_checks_total', { result: 'passed' })).toBeGreaterThan(0);
    expect(sampleSum(registry, 'schema_registry_composition_duration_seconds_count')).toBeGreaterThan(0);

    const logged = (service: string) =>
      fs
        .readFileSync(path.join(t.dataDir, 'logs', `${service}.log`), 'utf8')
        .split('\n')
        .filter((line) => line.includes(traceId))
        .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
    const gatewayLine = await waitFor(() => logged('gateway').find((line) => line.msg === 'graphql operation' && line.outcome === 'success') ?? null, {
      what: 'the gateway to log the order',
    });
    expect(gatewayLine).toMatchObject({
      operationName: 'PlaceOrder',
      operationType: 'mutation',
      client: { name: 'metrics-e2e', version: '2.0.1' },
      errorCodes: [],
      traceId,
    });
    expect(typeof gatewayLine.requestId).toBe('string');
    expect(typeof gatewayLine.durationMs).toBe('number');
    const ordersLine = await waitFor(() => logged('orders').find((line) => line.msg === 'graphql operation') ?? null, { what: 'orders to log the order' });
    expect(ordersLine).toMatchObject({ traceId, requestId: gatewayLine.requestId });
  });

  it('reads in the Grafana dashboard and the alert rules only metrics the processes export', async () => {
    const expressions = [...dashboardExpressions(), ...alertExpressions()];
    const names = [...new Set(expressions.flatMap(metricNamesIn))].sort();
    expect(names.length).toBeGreaterThanOrEqual(12);
    const families = new Map<string, string>();
    for (const text of Object.values(await scrapeAll(t))) for (const [name, kind] of familiesOf(text)) families.set(name, kind);
    expect(names.filter((name) => !isExported(name, families))).toEqual([]);
  });
});
