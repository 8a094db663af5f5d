import type { DeliveryObserver } from '@ficus/events';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A service's Prometheus metrics, served at `/metrics`. One registry per service instance. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly eventDeliveries: Counter<'stream' | 'event_type' | 'outcome'>;
  readonly eventHandlingSeconds: Histogram<'event_type'>;
  readonly outboxPublished: Counter;
  readonly outboxPublishFailures: Counter;
  readonly graphqlOperationSeconds: Histogram<'operation' | 'outcome'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.eventDeliveries = new Counter({
      name: 'ficus_event_deliveries_total',
      help: 'Event deliveries by outcome: handled, skipped, retried, dead-lettered.',
      labelNames: ['stream', 'event_type', 'outcome'],
      registers,
    });
    this.eventHandlingSeconds = new Histogram({
      name: 'ficus_event_handling_seconds',
      help: 'Time to handle one delivered event.',
      labelNames: ['event_type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.outboxPublished = new Counter({
      name: 'ficus_outbox_published_total',
      help: 'Outbox events published to JetStream.',
      registers,
    });
    this.outboxPublishFailures = new Counter({
      name: 'ficus_outbox_publish_failures_total',
      help: 'Failed attempts to publish an outbox event (retried).',
      registers,
    });
    this.graphqlOperationSeconds = new Histogram({
      name: 'ficus_graphql_operation_seconds',
      help: 'GraphQL operations served, by operation name and outcome.',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
  }

  /** A gauge read at scrape time, e.g. the outbox backlog. */
  gaugeFrom(name: string, help: string, read: () => Promise<number>): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      async collect() {
        this.set(await read().catch(() => Number.NaN));
      },
    });
  }

  deliveryObserver(): DeliveryObserver {
    return {
      delivered: (outcome, { stream, eventType, durationMs }) => {
        this.eventDeliveries.inc({ stream, event_type: eventType, outcome });
        if (outcome === 'handled') this.eventHandlingSeconds.observe({ event_type: eventType }, durationMs / 1000);
      },
    };
  }
}
