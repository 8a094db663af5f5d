import { tracingApi } from '@ficus/kit/tracing';
import type { Span, Tracer } from '@opentelemetry/api';

type OtelApi = NonNullable<ReturnType<typeof tracingApi>>;

/**
 * The gateway's own spans, inside the HTTP server span that instrumentation-http makes for
 * each request: the operation, its plan and each subgraph fetch (whose HTTP client span,
 * from instrumentation-undici, carries the fetch's trace context to the subgraph).
 */
export interface GatewaySpans {
  /** A query or mutation, named `{type} {name}` as GraphQL's semantic conventions have it; also labels the request's server span. */
  operation<T>(type: string, name: string | null, run: () => Promise<T>): Promise<T>;
  /** Finding the operation's plan: `onMiss` is called when the planner runs (a cache miss). */
  plan<T>(find: (onMiss: () => void) => Promise<T>): Promise<T>;
  /** One request to a subgraph, including its retry and the circuit breaker's verdict. */
  subgraphFetch<T extends { ok: boolean; message?: string }>(subgraph: string, operationName: string | null, send: () => Promise<T>): Promise<T>;
}

/**
 * Null when tracing is off, so that the hot path tests one constant and makes no span,
 * context or closure. Read when this module is first loaded: each service's `tracing.ts`
 * has started tracing (or not) before any of the gateway's modules load.
 */
export const gatewaySpans: GatewaySpans | null = createGatewaySpans(tracingApi());

export function createGatewaySpans(api: OtelApi | null): GatewaySpans | null {
  if (!api) return null;
  const tracer: Tracer = api.trace.getTracer('@ficus/gateway');
  const { context, trace, SpanStatusCode, SpanKind } = api;

  const inSpan = async <T>(span: Span, run: () => Promise<T>, failed?: (result: T) => string | null): Promise<T> => {
    try {
      const result = await context.with(trace.setSpan(context.active(), span), run);
      const failure = failed?.(result);
      if (failure) span.setStatus({ code: SpanStatusCode.ERROR, message: failure });
      return result;
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      span.end();
    }
  };

  return {
    operation(type, name, run) {
      const attributes = { 'graphql.operation.type': type, 'graphql.operation.name': name ?? '' };
      trace.getActiveSpan()?.setAttributes(attributes);
      return inSpan(tracer.startSpan(name ? `${type} ${name}` : type, { kind: SpanKind.INTERNAL, attributes }), run);
    },
    plan(find) {
      const span = tracer.startSpan('plan', { attributes: { 'ficus.plan.cached': true } });
      return inSpan(span, () => find(() => span.setAttribute('ficus.plan.cached', false)));
    },
    subgraphFetch(subgraph, operationName, send) {
      const span = tracer.startSpan(`fetch ${subgraph}`, {
        attributes: { 'subgraph.name': subgraph, ...(operationName ? { 'subgraph.graphql.operation.name': operationName } : {}) },
      });
      return inSpan(span, send, (result) => (result.ok ? null : (result.message ?? 'subgraph request failed')));
    },
  };
}
