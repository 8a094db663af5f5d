import * as api from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { createGatewaySpans, gatewaySpans } from '../src/telemetry/gateway-spans';

describe("the gateway's spans", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const spans = createGatewaySpans(api)!;

  beforeAll(() => provider.register());
  afterAll(() => provider.shutdown());
  beforeEach(() => exporter.reset());

  it('are not made at all when tracing is off (no SDK started in this process)', () => {
    expect(gatewaySpans).toBeNull();
    expect(createGatewaySpans(null)).toBeNull();
  });

  it('name the operation by type and name, label the request span with both, and hold the plan and fetches inside', async () => {
    const tracer = api.trace.getTracer('test');
    await tracer.startActiveSpan('POST /graphql', async (request) => {
      await spans.operation('query', 'TopProducts', async () => {
        await spans.plan(async (onMiss) => onMiss());
        await spans.plan(async () => undefined);
        await spans.subgraphFetch('products', null, async () => ({ ok: true }));
      });
      request.end();
    });
    const byName = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    const request = byName.get('POST /graphql')!;
    const operation = byName.get('query TopProducts')!;
    expect(request.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'TopProducts' });
    expect(operation.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    const plans = exporter.getFinishedSpans().filter((s) => s.name === 'plan');
    expect(plans.map((s) => s.attributes['ficus.plan.cached'])).toEqual([false, true]);
    expect(plans.every((s) => s.parentSpanContext?.spanId === operation.spanContext().spanId)).toBe(true);
    expect(byName.get('fetch products')!.attributes).toEqual({ 'subgraph.name': 'products' });
  });

  it('mark a subgraph fetch that failed, and an operation that threw, as errors', async () => {
    await spans.subgraphFetch('inventory', 'Stock', async () => ({ ok: false, message: 'subgraph "inventory" is unavailable' }));
    await expect(spans.operation('mutation', null, async () => Promise.reject(new Error('planning timed out')))).rejects.toThrow('planning timed out');
    const [fetch, operation] = exporter.getFinishedSpans();
    expect(fetch!.status).toEqual({ code: api.SpanStatusCode.ERROR, message: 'subgraph "inventory" is unavailable' });
    expect(fetch!.attributes['subgraph.graphql.operation.name']).toBe('Stock');
    expect(operation!.name).toBe('mutation');
    expect(operation!.status.code).toBe(api.SpanStatusCode.ERROR);
    expect(operation!.events.map((e) => e.name)).toEqual(['exception']);
  });
});
