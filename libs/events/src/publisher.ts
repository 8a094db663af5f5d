import { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { EventEnvelope } from './envelope';
import { tracedPublish } from './trace-context';

const encoder = new TextEncoder();

/** Lets a consumer keep one aggregate's events in order without parsing the body first. */
export const AGGREGATE_ID_HEADER = 'x-aggregate-id';

/**
 * Publishes envelopes to JetStream on the subject equal to their type. The envelope id
 * is the `Nats-Msg-Id`, so a retried publish inside the stream's duplicate window is dropped.
 */
export class EventPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly timeoutMs = 5_000,
  ) {}

  async publish(envelope: EventEnvelope): Promise<PubAck> {
    const h = natsHeaders();
    h.set('x-correlation-id', envelope.correlationId);
    h.set(AGGREGATE_ID_HEADER, envelope.aggregateId);
    return tracedPublish(envelope.type, envelope, h, () =>
      this.js.publish(envelope.type, encoder.encode(JSON.stringify(envelope)), {
        msgID: envelope.id,
        headers: h,
        timeout: this.timeoutMs,
      }),
    );
  }
}
