import type { EventEnvelope } from '@ficus/events';
import { DomainEventFeed, feedGap } from './domain-event-feed';

export interface StateStreamOptions<T> {
  /** Events that may change the state; subscribed before the first read, so no change falls between. */
  feed: DomainEventFeed;
  /**
   * Reads the current state; null while there is none. `cause` is the event that woke the
   * subscriber (undefined for the first read), so that the subscribers woken by one event
   * can share one read (`SharedReads` keyed by the event id). A shared state is read only.
   */
  load: (cause?: EventEnvelope) => Promise<T | null>;
  /**
   * The state an event announces, when its payload carries it whole (a stock level). Without
   * it each event is followed by `load`, which may already see later changes: states between
   * are then skipped, the latest is never missed.
   */
  stateOf?: (event: EventEnvelope) => T | null;
  /** What makes two states different for the subscriber (a status, a stock level). */
  fingerprint: (state: T) => string;
  /** Orders states: one not newer than the last sent is stale (its event raced the first read) and dropped. */
  version?: (state: T) => number | undefined;
  /** States sent before the current one (an order's earlier statuses), oldest first. */
  history?: (current: T) => T[];
  /** A state after which nothing can change: the stream completes once it is sent. */
  isFinal?: (state: T) => boolean;
}

/**
 * A subscription's stream of states: the current state first (after any history), so a
 * subscriber never waits for a change that already happened, then each change the events
 * announce, read back from the database. Events that change nothing the subscriber sees are
 * dropped, so redelivered or unrelated events never repeat a state. After a gap in the feed
 * (NATS reconnected) the state is read again, so a change whose event was missed still shows.
 */
export function stateStream<T>(options: StateStreamOptions<T>): AsyncIterableIterator<T> {
  const pending: T[] = [];
  let started = false;
  let finished = false;
  let last: string | undefined;
  let lastVersion: number | undefined;
  const done = { value: undefined, done: true } as const;
  const finish = async () => {
    finished = true;
    await options.feed.return?.();
  };
  const offer = (state: T) => {
    const version = options.version?.(state);
    if (version !== undefined && lastVersion !== undefined && version <= lastVersion) return;
    lastVersion = version ?? lastVersion;
    const fingerprint = options.fingerprint(state);
    if (fingerprint === last) return;
    last = fingerprint;
    pending.push(state);
  };

  return {
    async next() {
      if (!started) {
        started = true;
        await options.feed.ready;
        const current = await options.load();
        if (current) for (const state of [...(options.history?.(current) ?? []), current]) offer(state);
      }
      for (;;) {
        const state = pending.shift();
        if (state !== undefined) {
          if (options.isFinal?.(state)) await finish();
          return { value: state, done: false };
        }
        if (finished) return done;
        const event = await options.feed.nextOrGap();
        if (event === feedGap) {
          // Events may have been missed while NATS was away: the state itself says what changed.
          const current = await options.load();
          if (current) offer(current);
          continue;
        }
        if (event.done) {
          finished = true;
          return done;
        }
        const current = options.stateOf ? options.stateOf(event.value) : await options.load(event.value);
        if (current) offer(current);
      }
    },
    async return() {
      await finish();
      return done;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
