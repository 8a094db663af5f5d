import type { DeliveryObserver } from '@ficus/events';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { RequestBodyBudget, requestBodyBudget, RequestBodyBudgetOptions } from '../http/request-body-budget';

/** A service's Prometheus metrics, served at `/metrics`. One registry per service instance. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly eventDeliveries: Counter<'stream' | 'event_type' | 'outcome'>;
  readonly eventHandlingSeconds: Histogram<'event_type'>;
  readonly outboxPublished: Counter;
  readonly outboxPublishFailures: Counter;
  readonly graphqlOperationSeconds: Histogram<'operation' | 'outcome'>;
  /** Events this service's consumer gave up on and moved to the dead-letter stream. */
  readonly deadLetters: Counter<'messaging_destination_name' | 'event_type'>;
  /** Sagas this service ends (the order saga in orders), by outcome and reason; the same series, empty, elsewhere. */
  readonly sagaOutcomes: Counter<'saga' | 'outcome' | 'reason'>;

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
    this.deadLetters = new Counter({
      name: 'messaging_dead_letters_total',
      help: 'Events moved to the dead-letter stream after the last delivery attempt (or at once when unreadable), by stream and event type.',
      labelNames: ['messaging_destination_name', 'event_type'],
      registers,
    });
    this.sagaOutcomes = new Counter({
      name: 'saga_outcomes_total',
      help: 'Sagas ended, by saga, outcome (e.g. CONFIRMED, CANCELLED) and reason (a cancellation reason; none when confirmed).',
      labelNames: ['saga', 'outcome', 'reason'],
      registers,
    });
  }

  /**
   * The service's request-body budget, measured: `http_server_request_bodies_held_bytes` (what it
   * holds now) and `http_server_requests_overloaded_total` (requests refused for it).
   */
  requestBodyBudget(options: Omit<RequestBodyBudgetOptions, 'onRefused'>): RequestBodyBudget {
    const refused = new Counter({
      name: 'http_server_requests_overloaded_total',
      help: 'Requests answered 503 SERVICE_OVERLOADED: their bodies would have taken what the service holds at once past REQUEST_BODIES_MAX_BYTES.',
      registers: [this.registry],
    });
    const budget = requestBodyBudget({ ...options, onRefused: () => refused.inc() });
    this.gaugeFrom('http_server_request_bodies_held_bytes', 'Request-body bytes the service holds now, from each request\'s arrival to its response (REQUEST_BODIES_MAX_BYTES bounds it).', async () => budget.heldBytes());
    return budget;
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
        if (outcome === 'dead-lettered') this.deadLetters.inc({ messaging_destination_name: stream, event_type: eventType });
        if (outcome === 'handled') this.eventHandlingSeconds.observe({ event_type: eventType }, durationMs / 1000);
      },
    };
  }
}
