import type { EventEnvelope } from '@ficus/events';
import type { DomainEventFeed } from './domain-event-feed';

const done = { value: undefined, done: true } as const;

/**
 * One subscriber's feed: the events delivered to it wait here until it asks for them, so a
 * slow subscriber holds up no other. Hand-written rather than an async generator so that
 * `return()` never waits for the next event.
 */
export class BufferedFeed implements DomainEventFeed {
  private readonly buffered: EventEnvelope[] = [];
  private waiting: ((result: IteratorResult<EventEnvelope>) => void) | null = null;
  private ended = false;

  constructor(
    readonly ready: Promise<void>,
    private readonly release: (feed: BufferedFeed) => void,
  ) {}

  /** Delivers an event (from the shared subscription). */
  deliver(event: EventEnvelope): void {
    if (this.ended) return;
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting({ value: event, done: false });
    } else {
      this.buffered.push(event);
    }
  }

  /** Ends the feed from the subscription's side (NATS closed): what is buffered is still read. */
  end(): void {
    this.ended = true;
    this.waiting?.(done);
    this.waiting = null;
  }

  next(): Promise<IteratorResult<EventEnvelope>> {
    const event = this.buffered.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.ended) return Promise.resolve(done);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
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
}
