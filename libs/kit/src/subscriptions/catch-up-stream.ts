import type { EventEnvelope } from '@ficus/events';
import { DomainEventFeed, feedGap } from './domain-event-feed';

export interface CatchUpStreamOptions<T> {
  /** Events that announce new items; subscribed before the backlog is read, so no item falls between. */
  feed: DomainEventFeed;
  /** The items the subscriber missed, oldest first (none when it named no starting point). */
  backlog: () => Promise<T[]>;
  /** Reads the item an event announces; null when there is none to send. Subscribers woken by one event may share it (`SharedReads`). */
  load: (event: EventEnvelope) => Promise<T | null>;
  /** What makes an item itself: one already sent (in the backlog, or announced again) is not sent twice. */
  idOf: (item: T) => string;
  /**
   * The items stored after `lastId` (the last item sent, undefined before the first), oldest
   * first: read after a gap in the feed (NATS reconnected), whose events may have been missed.
   * Without it a gap goes unnoticed, and an item announced during it is not sent.
   */
  missed?: (lastId: string | undefined) => Promise<T[]>;
}

/**
 * A subscription's stream of added items (notifications, messages): first those stored since
 * the point the subscriber names, then each new one that the events announce, read back from
 * the database. An item stored while the backlog was being read arrives both ways and is sent
 * once. Unlike `stateStream` there is no current state: a subscriber that names no point
 * gets only what is added after it subscribed.
 */
export function catchUpStream<T>(options: CatchUpStreamOptions<T>): AsyncIterableIterator<T> {
  const pending: T[] = [];
  // Ids sent so far: per subscriber, and only the items of its own stream, so it stays small.
  const sent = new Set<string>();
  let started = false;
  let finished = false;
  const done = { value: undefined, done: true } as const;
  let lastId: string | undefined;
  const offer = (item: T) => {
    const id = options.idOf(item);
    if (sent.has(id)) return;
    sent.add(id);
    lastId = id;
    pending.push(item);
  };

  return {
    async next() {
      if (!started) {
        started = true;
        await options.feed.ready;
        for (const item of await options.backlog()) offer(item);
      }
      for (;;) {
        const item = pending.shift();
        if (item !== undefined) return { value: item, done: false };
        if (finished) return done;
        const event = await options.feed.nextOrGap();
        if (event === feedGap) {
          for (const item of (await options.missed?.(lastId)) ?? []) offer(item);
          continue;
        }
        if (event.done) {
          finished = true;
          return done;
        }
        const announced = await options.load(event.value);
        if (announced) offer(announced);
      }
    },
    async return() {
      finished = true;
      await options.feed.return?.();
      return done;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
