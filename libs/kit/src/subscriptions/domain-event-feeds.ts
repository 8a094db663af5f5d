import { envelopeSchema, EventEnvelope } from '@ficus/events';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { traceSubscriptionDelivery } from '../telemetry/delivery-span';
import { BufferedFeed, defaultFeedCapacity } from './buffered-feed';
import type { DomainEventFeed, FeedFilter } from './domain-event-feed';

const decoder = new TextDecoder();

/** The feeds of one subject and the one NATS subscription they share. */
interface SubjectFeeds {
  subscription: Subscription;
  ready: Promise<void>;
  /** Most feeds follow one aggregate: an event finds them without looking at the others. */
  byAggregate: Map<string, Set<BufferedFeed>>;
  byPredicate: Map<BufferedFeed, (event: EventEnvelope) => boolean>;
  size: number;
}

/**
 * The domain events a service's subscriptions follow, with one core NATS subscription per
 * subject however many subscribers there are (JetStream stores the same messages, but a live
 * view needs no durable state). Each message is parsed once and the same envelope goes to
 * every feed that keeps it. The subject's subscription is dropped with its last feed.
 */
export class DomainEventFeeds {
  private readonly subjects = new Map<string, SubjectFeeds>();
  /** Subject and id of each event this process committed and delivered itself, so that its copy from NATS is skipped. */
  private readonly deliveredLocally = new Set<string>();
  private closed = false;

  constructor(
    private readonly nats: NatsConnection,
    /** Events one subscriber may have waiting; one more drops them, and its stream reads again what it shows. */
    private readonly feedCapacity: number = defaultFeedCapacity,
  ) {
    void this.tellOfReconnections();
  }

  /** The NATS subscriptions held (one per subject followed), for metrics and tests. */
  get subscriptionCount(): number {
    return this.subjects.size;
  }

  /** A feed of the events on `subject` that `filter` keeps. */
  open(subject: string, filter: FeedFilter): DomainEventFeed {
    if (this.closed) throw new Error('domain event feeds are closed');
    const entry = this.subjects.get(subject) ?? this.subscribe(subject);
    const feed = new BufferedFeed(entry.ready, () => this.release(subject, entry, feed, filter), this.feedCapacity);
    if (typeof filter === 'function') {
      entry.byPredicate.set(feed, filter);
    } else {
      const feeds = entry.byAggregate.get(filter.aggregateId) ?? new Set();
      feeds.add(feed);
      entry.byAggregate.set(filter.aggregateId, feeds);
    }
    entry.size += 1;
    return feed;
  }

  /**
   * Delivers events this process has just committed, before the outbox relay publishes them:
   * its own subscribers need not wait for the round trip through NATS (other processes still
   * learn of them from NATS). The copy that comes back from NATS is then skipped.
   */
  deliverCommitted(events: readonly EventEnvelope[]): void {
    if (this.closed || this.subjects.size === 0) return;
    for (const event of events) {
      for (const [subject, entry] of this.subjects) {
        if (!subjectMatches(subject, event.type)) continue;
        this.rememberDelivered(`${subject}\n${event.id}`);
        this.dispatch(entry, Object.freeze({ ...event }), 'commit');
      }
    }
  }

  /** Ends every feed and drops every subscription (after the streams have been ended, on stop). */
  close(): void {
    this.closed = true;
    for (const [subject, entry] of this.subjects) this.drop(subject, entry);
  }

  /**
   * Core NATS keeps nothing for a subscriber while its connection is down: the events published
   * meanwhile (by another process's outbox relay, or through another node of the cluster) never
   * reach it. Once the client is back and the server has its subscriptions again, every feed is
   * told of the gap, so that its stream re-reads what it shows.
   */
  private async tellOfReconnections(): Promise<void> {
    for await (const status of this.nats.status()) {
      if (this.closed) return;
      if (status.type !== 'reconnect') continue;
      // The client sends its subscriptions first on reconnecting; the flush returns once the server has them.
      const registered = await this.nats.flush().then(
        () => true,
        () => false,
      );
      // Not registered: the connection dropped again, and its next reconnection tells the feeds.
      if (!registered || this.closed) continue;
      for (const entry of this.subjects.values()) {
        for (const feeds of entry.byAggregate.values()) for (const feed of feeds) feed.gap();
        for (const feed of entry.byPredicate.keys()) feed.gap();
      }
    }
  }

  private subscribe(subject: string): SubjectFeeds {
    const entry: SubjectFeeds = {
      subscription: this.nats.subscribe(subject, {
        callback: (err, message) => {
          if (err) return;
          const event = parseEnvelope(message.data);
          if (event && !this.deliveredLocally.delete(`${subject}\n${event.id}`)) this.dispatch(entry, event, 'nats');
        },
      }),
      // Every feed joining this subscription shares the flush that registered it with the server.
      ready: this.nats.flush(),
      byAggregate: new Map(),
      byPredicate: new Map(),
      size: 0,
    };
    // Awaited by each stream; marked handled so that a feed never read cannot crash the process.
    entry.ready.catch(() => undefined);
    // A subscription NATS closes (the connection closed) ends its feeds, and so their streams.
    void entry.subscription.closed.then(() => this.drop(subject, entry));
    this.subjects.set(subject, entry);
    return entry;
  }

  private dispatch(entry: SubjectFeeds, event: EventEnvelope, source: 'commit' | 'nats'): void {
    let delivered = 0;
    const followers = entry.byAggregate.get(event.aggregateId);
    if (followers) {
      for (const feed of followers) feed.deliver(event);
      delivered += followers.size;
    }
    for (const [feed, accept] of entry.byPredicate) {
      if (!accept(event)) continue;
      feed.deliver(event);
      delivered += 1;
    }
    if (delivered > 0) traceSubscriptionDelivery(event, delivered, source);
  }

  private rememberDelivered(key: string): void {
    this.deliveredLocally.add(key);
    if (this.deliveredLocally.size > maxRememberedDeliveries) {
      this.deliveredLocally.delete(this.deliveredLocally.values().next().value as string);
    }
  }

  private release(subject: string, entry: SubjectFeeds, feed: BufferedFeed, filter: FeedFilter): void {
    if (typeof filter === 'function') {
      entry.byPredicate.delete(feed);
    } else {
      const feeds = entry.byAggregate.get(filter.aggregateId);
      feeds?.delete(feed);
      if (feeds?.size === 0) entry.byAggregate.delete(filter.aggregateId);
    }
    entry.size -= 1;
    if (entry.size === 0) this.drop(subject, entry);
  }

  private drop(subject: string, entry: SubjectFeeds): void {
    if (this.subjects.get(subject) === entry) this.subjects.delete(subject);
    if (!entry.subscription.isClosed()) entry.subscription.unsubscribe();
    for (const feeds of entry.byAggregate.values()) for (const feed of feeds) feed.end();
    for (const feed of entry.byPredicate.keys()) feed.end();
    entry.byAggregate.clear();
    entry.byPredicate.clear();
    entry.size = 0;
  }
}

/**
 * Bounded: an event whose NATS copy never comes (published after its subject's last feed
 * closed) must not stay forever. Forgetting one early only costs a repeated delivery, which
 * the streams drop (an unchanged state, an item already sent).
 */
const maxRememberedDeliveries = 10_000;

/** NATS subject matching: `*` stands for one token, a final `>` for one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const wanted = pattern.split('.');
  const actual = subject.split('.');
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i] === '>') return actual.length > i;
    if (i >= actual.length || (wanted[i] !== '*' && wanted[i] !== actual[i])) return false;
  }
  return wanted.length === actual.length;
}

function parseEnvelope(data: Uint8Array): EventEnvelope | null {
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(decoder.decode(data)));
    return parsed.success ? Object.freeze(parsed.data as EventEnvelope) : null;
  } catch {
    return null;
  }
}
