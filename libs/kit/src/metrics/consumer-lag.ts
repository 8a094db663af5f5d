import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Gauge } from 'prom-client';
import type { ServiceMetrics } from './service-metrics';

/**
 * `messaging_consumer_lag_messages`: events in each stream that this service's durable
 * consumer has not been delivered yet (JetStream's `num_pending`), asked of the server at
 * scrape time. Unknown (NaN) while the server does not answer.
 */
export function registerConsumerLag(metrics: ServiceMetrics, nats: NatsConnection, durable: string, streams: readonly string[]): void {
  new Gauge({
    name: 'messaging_consumer_lag_messages',
    help: "Events not yet delivered to the service's durable JetStream consumer (num_pending), by stream and consumer.",
    labelNames: ['messaging_destination_name', 'messaging_consumer_group_name'],
    registers: [metrics.registry],
    async collect() {
      const jsm = await jetstreamManager(nats).catch(() => null);
      await Promise.all(
        streams.map(async (stream) => {
          const info = jsm ? await jsm.consumers.info(stream, durable).catch(() => null) : null;
          this.set({ messaging_destination_name: stream, messaging_consumer_group_name: durable }, info ? info.num_pending : Number.NaN);
        }),
      );
    },
  });
}
