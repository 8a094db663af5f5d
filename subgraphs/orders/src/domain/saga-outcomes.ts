import { EventEnvelope, EventData, orderCancelled, orderConfirmed } from '@ficus/events';
import type { ServiceMetrics } from '@ficus/kit';

/**
 * Counts each order saga that ended in a committed transaction, read from the events the
 * saga's last step records (orders.order.confirmed, orders.order.cancelled with its reason):
 * a step whose transaction rolled back is not counted.
 */
export function countSagaOutcomes(events: readonly EventEnvelope[], metrics: ServiceMetrics): void {
  for (const event of events) {
    if (event.type === orderConfirmed.type) {
      metrics.sagaOutcomes.inc({ saga: 'order', outcome: 'CONFIRMED', reason: 'none' });
    } else if (event.type === orderCancelled.type) {
      const { reason } = event.data as EventData<typeof orderCancelled>;
      metrics.sagaOutcomes.inc({ saga: 'order', outcome: 'CANCELLED', reason });
    }
  }
}
