import { context, defaultTextMapGetter, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace, TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/**
 * Message headers as both NATS clients offer them (nats 2.x `MsgHdrs`, @nats-io 3.x): trace
 * context travels in them as W3C `traceparent`/`tracestate`, as it does over HTTP.
 */
export interface HeaderCarrier {
  get(key: string): string | undefined | null;
  set(key: string, value: string): void;
}

const setter: TextMapSetter<HeaderCarrier> = { set: (carrier, key, value) => carrier.set(key, value) };
const getter: TextMapGetter<HeaderCarrier | undefined> = {
  keys: () => ['traceparent', 'tracestate'],
  get: (carrier, key) => carrier?.get(key) || undefined,
};
const recordSetter: TextMapSetter<Record<string, string>> = { set: (carrier, key, value) => (carrier[key] = value) };

// Without an OpenTelemetry SDK registered (tracing off) the API's tracer, context and
// propagator are no-ops, so everything below falls back to the envelope's own traceparent.
const tracer = trace.getTracer('@ficus/events');

/**
 * The W3C traceparent of the span in progress, if tracing is on and one is: an event created
 * inside a request or a handled event carries it, so that publishing it continues that trace.
 */
export function activeTraceparent(): string | undefined {
  if (!trace.getActiveSpan()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier, recordSetter);
  return carrier.traceparent;
}

/**
 * Runs `publish` in a PRODUCER span, a child of the trace the event was created in (its
 * envelope's traceparent), and writes that span's context into the message headers. With
 * tracing off the headers carry the envelope's traceparent as it is.
 */
export async function tracedPublish<T>(
  subject: string,
  event: { id: string; traceparent: string | null },
  headers: HeaderCarrier,
  publish: () => Promise<T>,
): Promise<T> {
  const parent = event.traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent: event.traceparent }, defaultTextMapGetter) : ROOT_CONTEXT;
  const span = tracer.startSpan(
    `publish ${subject}`,
    { kind: SpanKind.PRODUCER, attributes: messagingAttributes(subject, 'publish', event.id) },
    parent,
  );
  const spanContext = trace.setSpan(parent, span);
  propagation.inject(spanContext, headers, setter);
  if (!headers.get('traceparent') && event.traceparent) headers.set('traceparent', event.traceparent);
  return settle(span, () => context.with(spanContext, publish));
}

/**
 * Runs `handle` in a CONSUMER span whose parent is the producer's span from the message
 * headers (and linked to it, for tools that draw messaging as links): whatever the handler
 * writes (the next saga step's outbox row) continues the same trace.
 */
export function tracedProcess<T>(
  subject: string,
  details: { eventId: string; consumer: string; attempt: number },
  headers: HeaderCarrier | undefined,
  handle: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, headers, getter);
  const producer = trace.getSpanContext(parent);
  const span = tracer.startSpan(
    `process ${subject}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messagingAttributes(subject, 'process', details.eventId),
        'messaging.consumer.group.name': details.consumer,
        'messaging.delivery.attempt': details.attempt,
      },
      links: producer ? [{ context: producer }] : [],
    },
    parent,
  );
  return settle(span, () => context.with(trace.setSpan(parent, span), handle));
}

function messagingAttributes(subject: string, operation: 'publish' | 'process', messageId: string) {
  return {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.message.id': messageId,
  };
}

async function settle<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
    throw err;
  } finally {
    span.end();
  }
}
