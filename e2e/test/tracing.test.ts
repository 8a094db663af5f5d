import fs from 'node:fs';
import { graphql, recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import { startOtlpReceiver, OtlpReceiver, ReceivedSpan } from './otlp-receiver';
import { placeOrder, settledOrder, signUpShopper, stockedProduct } from './saga-helpers';
import { devAdmin, startTestStack, TestStack } from './stack-harness';

/** Set to a file path to keep the order's spans (docs/observability.md's waterfall is drawn from them). */
const keepSpansIn = process.env.FICUS_TRACE_OUTPUT;

const sagaServices = ['ficus-gateway', 'ficus-orders', 'ficus-inventory', 'ficus-payments', 'ficus-notifications'];

describe('tracing across the stack, exported over OTLP/HTTP', () => {
  let receiver: OtlpReceiver;
  let t: TestStack;
  let adminToken: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    t = await startTestStack('tracing', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      // Spans are exported within 100 ms instead of 5 s, so the test waits little.
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: '',
    });
    adminToken = await t.signIn(devAdmin.email, devAdmin.password);
  });

  afterAll(async () => {
    await t?.dispose();
    await receiver?.close();
  });

  it('follows a placed order in one trace from the gateway through every saga step until it is confirmed', async () => {
    const shopper = await signUpShopper(t, 'traced');
    const productId = await stockedProduct(t, adminToken, 'TRACED-1', 5, 1200);
    const client = webSocketClient(t.stack.gatewayUrl, { authorization: `Bearer ${shopper.token}` });
    const notifications = recordSubscription(client, 'subscription { notificationAdded { id kind } }', {});
    await waitFor(async () => (await openStreams(t, 'notifications')) > 0, { what: 'the notification subscription to be open' });
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_visa');
    expect(placed.errors).toBeUndefined();
    const order = await settledOrder(t, shopper.token, placed.data.placeOrder.id);
    expect(order.status).toBe('CONFIRMED');
    await waitFor(() => notifications.values.length > 0, { what: 'the notification to reach the subscriber' });
    await client.dispose();

    // The PlaceOrder that succeeded (earlier tries may have met an orders that had not heard of the product).
    const traceId = await waitFor(
      () => {
        const placements = receiver.spans.filter((s) => s.service === 'ficus-gateway' && s.name === 'mutation PlaceOrder');
        const trace = placements.map((s) => s.traceId).find((id) => spansOf(receiver, id).some((s) => s.kind === 'consumer'));
        return trace ?? null;
      },
      { timeoutMs: 20_000, what: 'the PlaceOrder trace to be exported' },
    );
    // The last hop: notifications handling orders.order.confirmed.
    const spans = await waitFor(
      () => {
        const found = spansOf(receiver, traceId);
        const last = [
          ['ficus-notifications', 'process orders.order.confirmed'],
          ['ficus-notifications', 'deliver notifications.notification.added'],
          ['ficus-inventory', 'process orders.order.confirmed'],
        ];
        return last.every(([service, name]) => found.some((s) => s.service === service && s.name === name)) ? found : null;
      },
      { timeoutMs: 20_000, what: 'the last saga steps to join the order trace' },
    );
    if (keepSpansIn) fs.writeFileSync(keepSpansIn, JSON.stringify(spans, (_key, value) => (typeof value === 'bigint' ? value.toString() : value), 2));

    for (const service of sagaServices) expect(spans.some((s) => s.service === service)).toBe(true);

    // The gateway: the server span, the operation inside it, its plan and the fetch to orders.
    const server = only(spans, (s) => s.service === 'ficus-gateway' && s.kind === 'server');
    expect(server.name).toBe('POST /graphql');
    expect(server.attributes).toMatchObject({ 'http.route': '/graphql', 'graphql.operation.name': 'PlaceOrder', 'graphql.operation.type': 'mutation' });
    const operation = only(spans, (s) => s.name === 'mutation PlaceOrder');
    expect(operation.parentSpanId).toBe(server.spanId);
    expect(spans.some((s) => s.name === 'plan' && s.parentSpanId === operation.spanId)).toBe(true);
    const fetch = only(spans, (s) => s.service === 'ficus-gateway' && s.name === 'fetch orders');
    expect(fetch.parentSpanId).toBe(operation.spanId);

    // The subgraph's server span continues from the fetch's HTTP client span, not from the client's request.
    const ordersServer = only(spans, (s) => s.service === 'ficus-orders' && s.kind === 'server');
    const httpClient = byId(spans, ordersServer.parentSpanId);
    expect(ordersServer.name).toBe('POST /graphql');
    expect(httpClient).toMatchObject({ service: 'ficus-gateway', kind: 'client' });
    expect(httpClient.parentSpanId).toBe(fetch.spanId);
    // SQL from instrumentation-pg inside the subgraph's request.
    const isSql = (s: ReceivedSpan) => s.kind === 'client' && (s.attributes['db.system'] === 'postgresql' || s.attributes['db.system.name'] === 'postgresql');
    expect(spans.some((s) => s.service === 'ficus-orders' && isSql(s) && ancestorsOf(spans, s).includes(ordersServer))).toBe(true);

    // Every NATS hop: the handling is a child of, and linked to, the span that published the event.
    const consumers = spans.filter((s) => s.kind === 'consumer');
    expect(consumers.length).toBeGreaterThanOrEqual(4);
    for (const consumer of consumers) {
      const producer = byId(spans, consumer.parentSpanId);
      expect(producer.kind).toBe('producer');
      expect(producer.attributes['messaging.destination.name']).toBe(consumer.attributes['messaging.destination.name']);
      expect(producer.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.operation.type': 'publish' });
      expect(consumer.links).toContainEqual({ traceId, spanId: producer.spanId });
    }
    // The saga, hop by hop: each step's publish descends from the handling of the step before.
    const hops: [string, string][] = [
      ['ficus-orders', 'orders.order.placed'],
      ['ficus-inventory', 'inventory.stock.reserved'],
      ['ficus-orders', 'orders.payment.requested'],
      ['ficus-payments', 'payments.payment.succeeded'],
      ['ficus-orders', 'orders.order.confirmed'],
    ];
    for (const [service, subject] of hops) {
      const publish = only(spans, (s) => s.kind === 'producer' && s.attributes['messaging.destination.name'] === subject);
      expect(publish.service).toBe(service);
      expect(ancestorsOf(spans, publish).some((s) => s.spanId === server.spanId)).toBe(true);
    }
    const notified = only(spans, (s) => s.service === 'ficus-notifications' && s.name === 'process orders.order.confirmed');
    expect(ancestorsOf(spans, notified).map((s) => s.name)).toEqual(expect.arrayContaining(['publish orders.order.confirmed', 'process payments.payment.succeeded', 'mutation PlaceOrder']));

    // The subscriber was told inside the handling that stored the notification.
    const delivered = only(spans, (s) => s.name === 'deliver notifications.notification.added');
    expect(ancestorsOf(spans, delivered)).toContain(notified);
    expect(delivered.attributes['ficus.subscription.feeds']).toBe(1);
  });

  it("continues the caller's trace, and sends each subgraph the gateway's own span instead of the caller's traceparent", async () => {
    const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const res = await graphql(t.stack.gatewayUrl, 'query CallerTraced { products(first: 1) { totalCount } }', undefined, {
      traceparent: `00-${callerTraceId}-${callerSpanId}-01`,
    });
    expect(res.errors).toBeUndefined();

    const spans = await waitFor(
      () => {
        const found = spansOf(receiver, callerTraceId);
        return found.some((s) => s.service === 'ficus-products' && s.kind === 'server') && found.some((s) => s.name === 'query CallerTraced') ? found : null;
      },
      { timeoutMs: 20_000, what: "the caller's trace to be exported" },
    );
    const server = only(spans, (s) => s.service === 'ficus-gateway' && s.kind === 'server');
    expect(server.parentSpanId).toBe(callerSpanId);
    const fetch = only(spans, (s) => s.name === 'fetch products');
    const productsServer = only(spans, (s) => s.service === 'ficus-products' && s.kind === 'server');
    expect(byId(spans, productsServer.parentSpanId)).toMatchObject({ service: 'ficus-gateway', kind: 'client', parentSpanId: fetch.spanId });
  });
});

async function openStreams(t: TestStack, service: string): Promise<number> {
  const metrics = await (await fetch(new URL('/metrics', t.stack.urls[service]!))).text();
  return Number(/^ficus_subscriptions_open(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? 0);
}

function spansOf(receiver: OtlpReceiver, traceId: string): ReceivedSpan[] {
  return receiver.spans.filter((s) => s.traceId === traceId);
}

function only(spans: ReceivedSpan[], match: (span: ReceivedSpan) => boolean): ReceivedSpan {
  const found = spans.filter(match);
  if (found.length !== 1) throw new Error(`expected one span, found ${found.length}: ${found.map((s) => `${s.service} ${s.name}`).join(', ')}`);
  return found[0]!;
}

function byId(spans: ReceivedSpan[], spanId: string): ReceivedSpan {
  const span = spans.find((s) => s.spanId === spanId);
  if (!span) throw new Error(`no span ${spanId} in the trace`);
  return span;
}

function ancestorsOf(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const ancestors: ReceivedSpan[] = [];
  for (let at = spans.find((s) => s.spanId === span.parentSpanId); at; at = spans.find((s) => s.spanId === at!.parentSpanId)) ancestors.push(at);
  return ancestors;
}
