import type { EventEnvelope } from '@ficus/events';
import { tracingApi } from './tracing';

/**
 * Records that an event reached `feeds` of this service's GraphQL subscriptions (a span of
 * the trace that produced the event, linked to the span that created it), so that a trace
 * shows when the client's subscription was told. Nothing is made when tracing is off.
 */
export function traceSubscriptionDelivery(event: EventEnvelope, feeds: number, source: 'commit' | 'nats'): void {
  const api = tracingApi();
  if (!api || !event.traceparent) return;
  const parent = api.propagation.extract(api.ROOT_CONTEXT, { traceparent: event.traceparent }, api.defaultTextMapGetter);
  const producer = api.trace.getSpanContext(parent);
  api.trace
    .getTracer('@ficus/kit')
    .startSpan(
      `deliver ${event.type}`,
      {
        kind: api.SpanKind.INTERNAL,
        attributes: { 'messaging.destination.name': event.type, 'messaging.message.id': event.id, 'ficus.subscription.feeds': feeds, 'ficus.subscription.source': source },
        links: producer ? [{ context: producer }] : [],
      },
      parent,
    )
    .end();
}
