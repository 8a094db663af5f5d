import type { EventEnvelope } from '@ficus/events';

/**
 * Live domain events for one subscriber; `return()` releases it at once. The envelopes are
 * shared with every other subscriber the event reaches: read them, never change them.
 */
export interface DomainEventFeed extends AsyncIterableIterator<EventEnvelope> {
  /** Resolves once the NATS server has registered the subscription: events after it are not missed. */
  readonly ready: Promise<void>;
  /**
   * Like `next()`, but also resolves with `feedGap` when events may have been missed: the
   * connection to NATS was lost and is back (core NATS keeps nothing for a subscriber while it
   * is away). The subscription is registered again by then, so a read of the state made after
   * a gap misses nothing. A gap and the events around it come in any order.
   */
  nextOrGap(): Promise<IteratorResult<EventEnvelope> | typeof feedGap>;
}

/** What `nextOrGap` resolves with when events may have been missed. */
export const feedGap = Symbol('feed gap');

/** Which events of a subject a feed keeps: those about one aggregate, or those a predicate accepts. */
export type FeedFilter = { aggregateId: string } | ((event: EventEnvelope) => boolean);
