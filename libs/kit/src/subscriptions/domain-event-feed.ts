import { envelopeSchema, EventEnvelope } from '@ficus/events';
import type { NatsConnection } from 'nats';

const decoder = new TextDecoder();

/** Live domain events for one subscriber; `return()` unsubscribes from NATS at once. */
export interface DomainEventFeed extends AsyncIterableIterator<EventEnvelope> {
  /** Resolves once the NATS server has registered the subscription: events after it are not missed. */
  readonly ready: Promise<void>;
}

/**
 * The domain events published on `subject` (a core NATS subscription: JetStream stores the
 * same messages, but a live view needs no durable state), narrowed to those `accept` keeps.
 * Hand-written rather than an async generator so that closing it never waits for the next
 * event: a client that goes away releases its NATS subscription immediately.
 */
export function domainEventFeed(nats: NatsConnection, subject: string, accept: (event: EventEnvelope) => boolean): DomainEventFeed {
  const subscription = nats.subscribe(subject);
  const messages = subscription[Symbol.asyncIterator]();
  const done = { value: undefined, done: true } as const;
  return {
    ready: nats.flush(),
    async next() {
      for (;;) {
        const message = await messages.next();
        if (message.done) return done;
        const event = parseEnvelope(message.value.data);
        if (event && accept(event)) return { value: event, done: false };
      }
    },
    async return() {
      subscription.unsubscribe();
      return done;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function parseEnvelope(data: Uint8Array): EventEnvelope | null {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(decoder.decode(data)));
    return parsed.success ? (parsed.data as EventEnvelope) : null;
  } catch {
    return null;
  }
}
