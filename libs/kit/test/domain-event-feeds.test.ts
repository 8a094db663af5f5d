import { connectNats, EventEnvelope, userRegistered } from '@ficus/events';
import { startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import type { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { DomainEventFeed, DomainEventFeeds } from '../src';
import { subjectMatches } from '../src/subscriptions/domain-event-feeds';

const logger = pino({ level: 'silent' });
const SUBJECT = 'users.>';

describe('DomainEventFeeds: one NATS subscription per subject, shared by every feed', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let publisher: NatsConnection;
  let feeds: DomainEventFeeds;

  const serverSubscriptions = () => nats.subscriptionsOf('feeds-under-test');
  const announce = async (aggregateId: string): Promise<EventEnvelope> => {
    const event = userRegistered.create(aggregateId, { userId: aggregateId, email: `${aggregateId}@example.com`, name: aggregateId });
    publisher.publish('users.user.registered', JSON.stringify(event));
    await publisher.flush();
    return event;
  };
  const quiet = () =>
    waitFor(async () => feeds.subscriptionCount === 0 && (await serverSubscriptions()).length === 0, { what: 'no subscription left' });

  beforeAll(async () => {
    nats = await startTestNatsServer();
    nc = await connectNats({ url: nats.url, name: 'feeds-under-test', logger });
    publisher = await connectNats({ url: nats.url, name: 'feeds-publisher', logger });
    feeds = new DomainEventFeeds(nc);
  });

  afterAll(async () => {
    feeds?.close();
    await nc?.close();
    await publisher?.close();
    await nats?.dispose();
  });

  it('serves 50 feeds of one aggregate from one server-side subscription, and drops it after the last leaves', async () => {
    const many = Array.from({ length: 50 }, () => feeds.open(SUBJECT, { aggregateId: 'ada' }));
    await Promise.all(many.map((feed) => feed.ready));
    expect(await serverSubscriptions()).toEqual([SUBJECT]);

    const sent = await announce('ada');
    const received = await Promise.all(many.map((feed) => feed.next()));
    expect(received.every((r) => !r.done && r.value.id === sent.id)).toBe(true);
    // Parsed once: every feed holds the same envelope.
    expect(new Set(received.map((r) => r.value)).size).toBe(1);

    await Promise.all(many.slice(1).map((feed) => feed.return!()));
    expect(await serverSubscriptions()).toEqual([SUBJECT]);
    await many[0]!.return!();
    await quiet();
  });

  it('shares the registration of a subscription already made with the feeds that join it', async () => {
    const first = feeds.open(SUBJECT, { aggregateId: 'a' });
    const joiner = feeds.open(SUBJECT, { aggregateId: 'b' });
    expect(joiner.ready).toBe(first.ready);
    await Promise.all([first.return!(), joiner.return!()]);
    await quiet();
  });

  it('gives each feed only the events of its aggregate, or those its predicate accepts', async () => {
    const ada = feeds.open(SUBJECT, { aggregateId: 'ada' });
    const grace = feeds.open(SUBJECT, { aggregateId: 'grace' });
    const everyone = feeds.open(SUBJECT, () => true);
    await ada.ready;
    const toGrace = await announce('grace');
    const toAda = await announce('ada');
    expect((await ada.next()).value.id).toBe(toAda.id);
    expect((await grace.next()).value.id).toBe(toGrace.id);
    expect([(await everyone.next()).value.id, (await everyone.next()).value.id]).toEqual([toGrace.id, toAda.id]);
    await Promise.all([ada, grace, everyone].map((feed) => feed.return!()));
    await quiet();
  });

  it('delivers events the process committed at once, and skips their copies from NATS', async () => {
    const ada = feeds.open(SUBJECT, { aggregateId: 'local' });
    const other = feeds.open('orders.*.cancelled', () => true);
    await ada.ready;
    const committed = userRegistered.create('local', { userId: 'local', email: 'local@example.com', name: 'Local' });

    feeds.deliverCommitted([committed]);

    // Before anything was published: it came from the commit, not from NATS.
    expect((await ada.next()).value.id).toBe(committed.id);
    publisher.publish('users.user.registered', JSON.stringify(committed));
    const later = await announce('local');
    // The NATS copy of the committed event was skipped; the next event comes through.
    expect((await ada.next()).value.id).toBe(later.id);
    // A feed of a subject the event is not on got nothing.
    const nothing = await Promise.race([other.next().then(() => 'an event'), Promise.resolve('nothing')]);
    expect(nothing).toBe('nothing');
    await Promise.all([ada, other].map((feed) => feed.return!()));
    await quiet();
  });

  it('lets a feed read on while another one, slow, has not read anything', async () => {
    const slow = feeds.open(SUBJECT, { aggregateId: 'busy' });
    const quick = feeds.open(SUBJECT, { aggregateId: 'busy' });
    await quick.ready;
    const sent = [await announce('busy'), await announce('busy'), await announce('busy')];
    const read: string[] = [];
    for (let i = 0; i < sent.length; i++) read.push((await quick.next()).value.id);
    expect(read).toEqual(sent.map((e) => e.id));
    // The slow one finds them all waiting, in order.
    const late: string[] = [];
    for (let i = 0; i < sent.length; i++) late.push((await slow.next()).value.id);
    expect(late).toEqual(read);
    await Promise.all([slow.return!(), quick.return!()]);
    await quiet();
  });

  it('releases a feed at once, even while it waits for an event', async () => {
    const feed = feeds.open(SUBJECT, { aggregateId: 'nobody' });
    await feed.ready;
    const waiting = feed.next();
    await feed.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(await feed.next()).toEqual({ value: undefined, done: true });
    await quiet();
  });

  it('subscribes again when a feed comes after the last one left', async () => {
    const before = feeds.open(SUBJECT, { aggregateId: 'again' });
    await before.ready;
    await before.return!();
    const after = feeds.open(SUBJECT, { aggregateId: 'again' });
    await after.ready;
    expect(await serverSubscriptions()).toEqual([SUBJECT]);
    const sent = await announce('again');
    expect((await after.next()).value.id).toBe(sent.id);
    await after.return!();
    await quiet();
  });

  it('ends every feed and subscription when closed, and opens no more', async () => {
    const own = new DomainEventFeeds(nc);
    const open: DomainEventFeed[] = [own.open(SUBJECT, { aggregateId: 'x' }), own.open('orders.>', () => true)];
    await Promise.all(open.map((feed) => feed.ready));
    const waiting = open.map((feed) => feed.next());
    own.close();
    expect(await Promise.all(waiting)).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
    expect(() => own.open(SUBJECT, { aggregateId: 'x' })).toThrow(/closed/);
    await quiet();
  });

  it('ends its feeds when the NATS connection closes', async () => {
    const connection = await connectNats({ url: nats.url, name: 'feeds-closing', logger });
    const own = new DomainEventFeeds(connection);
    const feed = own.open(SUBJECT, { aggregateId: 'x' });
    await feed.ready;
    const waiting = feed.next();
    await connection.close();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(own.subscriptionCount).toBe(0);
  });
});

describe('subjectMatches', () => {
  it.each([
    ['orders.>', 'orders.order.cancelled', true],
    ['orders.>', 'orders', false],
    ['orders.*.cancelled', 'orders.order.cancelled', true],
    ['orders.*', 'orders.order.cancelled', false],
    ['orders.order.cancelled', 'orders.order.cancelled', true],
    ['orders.order.cancelled', 'orders.order.placed', false],
    ['payments.>', 'orders.order.cancelled', false],
  ])('%s against %s is %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});
