import { connectNats, userRegistered } from '@ficus/events';
import { startTestNatsServer, TestNatsServer } from '@ficus/testkit';
import type { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { catchUpStream, DomainEventFeeds, stateStream } from '../src';

const logger = pino({ level: 'silent' });

/** Resolves with what `promise` gives, or with 'still waiting' after `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref())]);

/**
 * Core NATS keeps nothing for a subscriber whose connection is down: an event published while
 * the service is reconnecting (a cluster node lost, NATS restarted) never reaches its feeds.
 * The streams must not wait for it forever: they read again what the event would have told.
 */
describe('subscription streams across a lost NATS connection', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let feeds: DomainEventFeeds;

  beforeEach(async () => {
    nats = await startTestNatsServer();
    nc = await connectNats({ url: nats.url, name: 'feeds-gaps', logger });
    feeds = new DomainEventFeeds(nc);
  });

  afterEach(async () => {
    feeds?.close();
    await nc?.close();
    await nats?.dispose();
  });

  it('shows a state that changed while NATS was away, though its event never came', async () => {
    let status = 'PENDING';
    const stream = stateStream<{ status: string }>({
      feed: feeds.open('orders.>', { aggregateId: 'order-1' }),
      load: async () => ({ status }),
      fingerprint: (order) => order.status,
      isFinal: (order) => order.status !== 'PENDING',
    });
    expect((await stream.next()).value).toEqual({ status: 'PENDING' });
    const next = stream.next();

    await nats.stop();
    // Committed by another process, whose event went out while this one was reconnecting.
    status = 'CONFIRMED';
    await nats.start();

    expect(await within(next, 15_000)).toEqual({ value: { status: 'CONFIRMED' }, done: false });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('sends an item stored while NATS was away, once, after those already sent', async () => {
    const stored: { id: string }[] = [];
    const publisher = await connectNats({ url: nats.url, name: 'feeds-gaps-publisher', logger });
    const feed = feeds.open('users.>', { aggregateId: 'ada' });
    await feed.ready;
    const stream = catchUpStream<{ id: string }>({
      feed,
      backlog: async () => [],
      load: async (event) => stored.find((item) => item.id === event.id) ?? null,
      missed: async (lastId) => stored.filter((item) => lastId === undefined || item.id > lastId),
      idOf: (item) => item.id,
    });
    const first = stream.next();
    const announced = userRegistered.create('ada', { userId: 'ada', email: 'ada@example.com', name: 'Ada' });
    stored.push({ id: announced.id });
    publisher.publish('users.user.registered', JSON.stringify(announced));
    await publisher.flush();
    expect(await within(first, 10_000)).toEqual({ value: { id: announced.id }, done: false });
    await publisher.close();
    const next = stream.next();

    await nats.stop();
    stored.push({ id: `${announced.id}-later` });
    await nats.start();

    expect(await within(next, 15_000)).toEqual({ value: { id: `${announced.id}-later` }, done: false });
    expect(await within(stream.next(), 1_000)).toBe('still waiting');
    await stream.return!();
  });
});
