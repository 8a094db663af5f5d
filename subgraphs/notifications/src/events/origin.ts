import type { EventEnvelope, EventOrigin } from '@ficus/events';

/** The events a handler records carry the correlation and trace of the event that caused them. */
export function causedBy(event: EventEnvelope): EventOrigin {
  return { correlationId: event.correlationId, causationId: event.id, traceparent: event.traceparent };
}
