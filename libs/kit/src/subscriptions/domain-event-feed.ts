import type { EventEnvelope } from '@ficus/events';

/**
 * Live domain events for one subscriber; `return()` releases it at once. The envelopes are
 * shared with every other subscriber the event reaches: read them, never change them.
 */
export interface DomainEventFeed extends AsyncIterableIterator<EventEnvelope> {
  /** Resolves once the NATS server has registered the subscription: events after it are not missed. */
  readonly ready: Promise<void>;
}

/** Which events of a subject a feed keeps: those about one aggregate, or those a predicate accepts. */
export type FeedFilter = { aggregateId: string } | ((event: EventEnvelope) => boolean);
