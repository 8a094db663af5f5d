import type { EventEnvelope } from '@ficus/events';
import { DomainEventFeed, feedGap } from './domain-event-feed';

const done = { value: undefined, done: true } as const;

/** Events one subscriber may have waiting before they are dropped for a gap. */
export const defaultFeedCapacity = 1_000;

type Waiter = { resolve: (result: IteratorResult<EventEnvelope> | typeof feedGap) => void; takesGaps: boolean };

/**
 * One subscriber's feed: the events delivered to it wait here until it asks for them, so a
 * slow subscriber holds up no other. At most `capacity` wait: one more drops them and marks a
 * gap, so a subscriber that stops reading costs bounded memory, and its stream reads again what
 * it shows when it comes back, as after NATS reconnected. Hand-written rather than an async
 * generator so that `return()` never waits for the next event.
 */
export class BufferedFeed implements DomainEventFeed {
  private buffered: EventEnvelope[] = [];
  private waiting: Waiter | null = null;
  private gapped = false;
  private ended = false;

  constructor(
    readonly ready: Promise<void>,
    private readonly release: (feed: BufferedFeed) => void,
    private readonly capacity: number = defaultFeedCapacity,
  ) {}

  /** Delivers an event (from the shared subscription). */
  deliver(event: EventEnvelope): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting.resolve({ value: event, done: false });
    } else if (this.buffered.length < this.capacity) {
      this.buffered.push(event);
    } else {
      this.buffered = [];
      this.gapped = true;
    }
  }

  /** Tells the subscriber that events may have been missed (NATS reconnected); several gaps before it asks count as one. */
  gap(): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting?.takesGaps) {
      this.waiting = null;
      waiting.resolve(feedGap);
    } else {
      this.gapped = true;
    }
  }

  /** Ends the feed from the subscription's side (NATS closed): what is buffered is still read. */
  end(): void {
    this.ended = true;
    this.waiting?.resolve(done);
    this.waiting = null;
  }

  next(): Promise<IteratorResult<EventEnvelope>> {
    return this.take(false) as Promise<IteratorResult<EventEnvelope>>;
  }

  nextOrGap(): Promise<IteratorResult<EventEnvelope> | typeof feedGap> {
    return this.take(true);
  }

  async return(): Promise<IteratorResult<EventEnvelope>> {
    if (!this.ended) this.release(this);
    this.buffered.length = 0;
    this.end();
    return done;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private take(takesGaps: boolean): Promise<IteratorResult<EventEnvelope> | typeof feedGap> {
    if (takesGaps && this.gapped) {
      this.gapped = false;
      return Promise.resolve(feedGap);
    }
    const event = this.buffered.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.ended) return Promise.resolve(done);
    return new Promise((resolve) => {
      this.waiting = { resolve, takesGaps };
    });
  }
}
