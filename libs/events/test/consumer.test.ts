import { startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import {
  connectNats,
  DEAD_LETTER_STREAM,
  domainStreamConfig,
  ensureStream,
  EventConsumer,
  EventPublisher,
  on,
  userRegistered,
} from '../src';

const logger = pino({ level: 'silent' });

describe('EventConsumer over a real JetStream', () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let publisher: EventPublisher;

  beforeAll(async () => {
    server = await startTestNatsServer();
    nc = await connectNats({ url: server.url, name: 'consumer-test', logger });
    await ensureStream(await jetstreamManager(nc), domainStreamConfig('users'));
    publisher = new EventPublisher(jetstream(nc));
  });

  beforeEach(async () => {
    // Each test's durable starts from the beginning of the stream: give it an empty one.
    await (await jetstreamManager(nc)).streams.purge('USERS');
  });

  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  const registered = (n: number) =>
    userRegistered.create(`u-${n}`, { userId: `u-${n}`, email: `user${n}@example.com`, name: `User ${n}` });

  it('delivers each published event once to a durable consumer and drops duplicate publishes', async () => {
    const seen: string[] = [];
    const consumer = new EventConsumer(nc, {
      durable: 'happy',
      logger,
      handlers: [on(userRegistered, async (event) => void seen.push(event.data.userId))],
    });
    await consumer.start();
    const event = registered(1);
    const first = await publisher.publish(event);
    const again = await publisher.publish(event);
    expect(again.duplicate).toBe(true);
    expect(again.seq).toBe(first.seq);
    await waitFor(() => seen.length === 1, { what: 'the event to be handled' });
    await consumer.stop();
    expect(seen).toEqual(['u-1']);
  });

  it('handles other aggregates while one is slow, and keeps each aggregate\'s events in order', async () => {
    const handled: string[] = [];
    let releaseSlow: () => void = () => undefined;
    const slowMayFinish = new Promise<void>((resolve) => (releaseSlow = resolve));
    const consumer = new EventConsumer(nc, {
      durable: 'concurrent',
      logger,
      concurrency: 4,
      handlers: [
        on(userRegistered, async (event) => {
          if (event.aggregateId === 'slow' && event.data.userId === 'slow-1') await slowMayFinish;
          handled.push(event.data.userId);
        }),
      ],
    });
    await consumer.start();
    const event = (aggregate: string, userId: string) =>
      userRegistered.create(aggregate, { userId, email: `${userId}@example.com`, name: userId });
    for (const e of [event('slow', 'slow-1'), event('slow', 'slow-2'), event('fast', 'fast-1'), event('slow', 'slow-3'), event('fast', 'fast-2')]) {
      await publisher.publish(e);
    }
    await waitFor(() => handled.length === 2, { what: 'the fast aggregate to be handled while the slow one waits' });
    expect(handled).toEqual(['fast-1', 'fast-2']);
    releaseSlow();
    await waitFor(() => handled.length === 5, { what: 'the slow aggregate to be handled' });
    await consumer.stop();
    expect(handled.slice(2)).toEqual(['slow-1', 'slow-2', 'slow-3']);
  });

  it('retries a failing handler with backoff, then dead-letters the event with the reason', async () => {
    const attempts: number[] = [];
    const outcomes: string[] = [];
    const consumer = new EventConsumer(nc, {
      durable: 'failing',
      logger,
      maxDeliver: 3,
      backoffMs: [20],
      observer: { delivered: (outcome) => void outcomes.push(outcome) },
      handlers: [
        on(userRegistered, async (_event, { attempt }) => {
          attempts.push(attempt);
          throw new Error('database unavailable');
        }),
      ],
    });
    await consumer.start();
    const event = registered(2);
    await publisher.publish(event);
    const jsm = await jetstreamManager(nc);
    const dead = await waitFor(
      () => jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: 'deadletter.USERS.failing' }).catch(() => null),
      { what: 'the dead-lettered event' },
    );
    await consumer.stop();
    expect(attempts).toEqual([1, 2, 3]);
    expect(outcomes).toEqual(['retried', 'retried', 'dead-lettered']);
    expect(dead.json<{ id: string }>().id).toBe(event.id);
    expect(dead?.header.get('x-dead-letter-reason')).toContain('database unavailable');
    expect(dead?.header.get('x-delivery-count')).toBe('3');
  });

  it('dead-letters an unreadable message at once instead of retrying it', async () => {
    let handled = 0;
    const consumer = new EventConsumer(nc, {
      durable: 'strict',
      logger,
      handlers: [on(userRegistered, async () => void (handled += 1))],
    });
    await consumer.start();
    await jetstream(nc).publish('users.user.registered', new TextEncoder().encode('{not json'));
    // Valid JSON that is no envelope: the validation error spans several lines.
    await jetstream(nc).publish('users.user.registered', new TextEncoder().encode('{"not":"an envelope"}'));
    const jsm = await jetstreamManager(nc);
    await waitFor(
      async () => (await jsm.streams.info(DEAD_LETTER_STREAM, { subjects_filter: 'deadletter.USERS.strict' })).state.subjects?.['deadletter.USERS.strict'] === 2,
      { what: 'both unreadable messages in the dead-letter stream' },
    );
    const dead = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: 'deadletter.USERS.strict' });
    await consumer.stop();
    expect(dead?.header.get('x-dead-letter-reason')).toMatch(/^unreadable envelope: .*id.*type/);
    expect(dead?.header.get('x-delivery-count')).toBe('1');
    expect(handled).toBe(0);
  });

  it('keeps events in hand alive past the ack wait, so a slow handler sees each event once', async () => {
    const attempts: number[] = [];
    let release: () => void = () => undefined;
    const mayFinish = new Promise<void>((resolve) => (release = resolve));
    const consumer = new EventConsumer(nc, {
      durable: 'slow',
      logger,
      ackWaitMs: 300,
      concurrency: 1,
      handlers: [
        on(userRegistered, async (_event, { attempt }) => {
          attempts.push(attempt);
          await mayFinish;
        }),
      ],
    });
    await consumer.start();
    // The second event waits for the only slot behind the first, longer than the ack wait.
    await publisher.publish(registered(3));
    await publisher.publish(registered(4));
    await waitFor(() => attempts.length === 1, { what: 'the first event to be in the handler' });
    // Observation window for what must not happen: three ack waits with no redelivery.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info('USERS', 'slow');
    release();
    await waitFor(() => attempts.length === 2, { what: 'the second event to be handled' });
    await waitFor(async () => (await jsm.consumers.info('USERS', 'slow')).num_ack_pending === 0, { what: 'both events to be acknowledged' });
    await consumer.stop();
    expect(info.num_redelivered).toBe(0);
    expect(attempts).toEqual([1, 1]);
  });

  it("hands a crashed process's unacknowledged events to the next process after the ack wait", async () => {
    const crashing = await connectNats({ url: server.url, name: 'crashing-consumer', logger });
    let inCrashingHandler = 0;
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const doomed = new EventConsumer(crashing, {
      durable: 'recovering',
      logger,
      ackWaitMs: 500,
      handlers: [on(userRegistered, async () => {
        inCrashingHandler += 1;
        await blocked;
      })],
    });
    await doomed.start();
    await publisher.publish(registered(5));
    await waitFor(() => inCrashingHandler === 1, { what: 'the event to reach the blocked handler' });
    // The connection goes away with the event unacknowledged, as when the process is killed.
    await crashing.close();
    unblock();
    await doomed.stop();
    const handled: Array<{ userId: string; attempt: number }> = [];
    const next = new EventConsumer(nc, {
      durable: 'recovering',
      logger,
      ackWaitMs: 500,
      handlers: [on(userRegistered, async (event, { attempt }) => void handled.push({ userId: event.data.userId, attempt }))],
    });
    await next.start();
    await waitFor(() => handled.length === 1, { what: 'the event to be redelivered to the next process', timeoutMs: 5_000 });
    await next.stop();
    expect(handled).toEqual([{ userId: 'u-5', attempt: 2 }]);
  });
});
