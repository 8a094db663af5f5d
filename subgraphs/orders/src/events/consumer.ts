import type { EventEnvelope, EventOrigin } from '@ficus/events';

/** The durable consumer and inbox name of this service. */
export const consumerName = 'orders';

/** The events a handled event causes belong to its conversation and name it as their cause. */
export function causedBy(event: EventEnvelope): EventOrigin {
  return { correlationId: event.correlationId, causationId: event.id, traceparent: event.traceparent };
}
