import { startTestNatsCluster, TestNatsCluster, TestNatsNode, waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
import { Writable } from 'node:stream';
import pino from 'pino';
import { connectNats, domainStreamConfig, ensureStream, EventConsumer, EventEnvelope, EventPublisher, on, userRegistered } from '../src';

const logger = pino({ level: 'silent' });

/**
 * A three-node JetStream cluster loses the node the services are connected to, mid-stream:
 * the R3 stream keeps its quorum, the clients move to the other members, and every event
 * published before, during and after is stored once and handled once.
 */
describe('events across the loss of one node of a NATS cluster', () => {
  let cluster: TestNatsCluster;
  let publisherNc: NatsConnection;
  let consumerNc: NatsConnection;

  beforeAll(async () => {
    cluster = await startTestNatsCluster(3);
    publisherNc = await connectNats({ url: cluster.url, name: 'failover-publisher', logger });
    consumerNc = await connectNats({ url: cluster.url, name: 'failover-consumer', logger });
  }, 60_000);

  afterAll(async () => {
    await publisherNc?.close();
    await consumerNc?.close();
    await cluster?.dispose();
  });

  it('leaves a stream as it is, with a warning, when the cluster cannot give it the replicas asked for', async () => {
    const warnings: { msg: string; stream?: string; replicas?: number }[] = [];
    const warnLogger = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (warnings.push(JSON.parse(String(chunk))), done()) }));
    const jsm = await jetstreamManager(publisherNc);
    await ensureStream(jsm, domainStreamConfig('inventory'), { replicas: 3, logger: warnLogger });

    await expect(ensureStream(jsm, domainStreamConfig('inventory'), { replicas: 5, logger: warnLogger })).resolves.toBeUndefined();

    expect((await jsm.streams.info('INVENTORY')).config.num_replicas).toBe(3);
    expect(warnings).toEqual([
      expect.objectContaining({ msg: 'NATS refused to change the stream replicas; it keeps its current count', stream: 'INVENTORY', replicas: 5 }),
    ]);
  });

  it('creates streams with three replicas and raises an existing stream to three', async () => {
    const jsm = await jetstreamManager(publisherNc);
    await ensureStream(jsm, domainStreamConfig('payments'), { replicas: 1, logger });
    expect((await jsm.streams.info('PAYMENTS')).config.num_replicas).toBe(1);
    await ensureStream(jsm, domainStreamConfig('payments'), { replicas: 3, logger });
    const raised = await jsm.streams.info('PAYMENTS');
    expect(raised.config.num_replicas).toBe(3);
    await waitFor(async () => (await jsm.streams.info('PAYMENTS')).cluster?.replicas?.length === 2, {
      timeoutMs: 15_000,
      what: 'the two new replicas of PAYMENTS',
    });
  });

  it('publishes and handles every event exactly once while the node the clients use is killed', async () => {
    const jsm = await jetstreamManager(publisherNc);
    await ensureStream(jsm, domainStreamConfig('users'), { replicas: 3, logger });
    const created = await jsm.streams.info('USERS');
    expect(created.config.num_replicas).toBe(3);
    expect(created.cluster?.replicas).toHaveLength(2);

    const handled = new Map<string, number>();
    const consumer = new EventConsumer(consumerNc, {
      durable: 'failover',
      logger,
      ackWaitMs: 2_000,
      streamReplicas: 3,
      handlers: [on(userRegistered, async (event) => void handled.set(event.id, (handled.get(event.id) ?? 0) + 1))],
    });
    await consumer.start();
    const publisher = new EventPublisher(jetstream(publisherNc), 2_000);
    const published: EventEnvelope[] = [];
    // As the outbox relay does: an unacknowledged publish is retried with the same id until it is acknowledged.
    const publish = async (n: number) => {
      const event = userRegistered.create(`u-${n % 7}`, { userId: `u-${n}`, email: `user${n}@example.com`, name: `User ${n}` });
      await waitFor(() => publisher.publish(event).then(() => true, () => false), { timeoutMs: 30_000, what: `event ${n} to be stored` });
      published.push(event);
    };

    for (let n = 0; n < 100; n++) await publish(n);
    await waitFor(() => handled.size === 100, { timeoutMs: 30_000, what: 'the first 100 events to be handled' });

    const victim: TestNatsNode = (await cluster.nodeServing('failover-publisher')) ?? cluster.nodes[0]!;
    const consumerOnVictim = (await cluster.nodeServing('failover-consumer')) === victim;
    await victim.kill();
    for (let n = 100; n < 200; n++) await publish(n);
    // With the client's default 30 s pulls a lost pull could stall the consumer past this; ours are noticed in seconds.
    await waitFor(() => handled.size === 200, { timeoutMs: 30_000, what: 'all 200 events to be handled' });

    const moved = await cluster.nodeServing('failover-publisher');
    expect(moved).not.toBeNull();
    expect(moved).not.toBe(victim);
    if (consumerOnVictim) expect(await cluster.nodeServing('failover-consumer')).not.toBe(victim);
    expect((await jsm.streams.info('USERS')).state.messages).toBe(200);
    expect([...handled.keys()].sort()).toEqual(published.map((e) => e.id).sort());
    expect([...handled.values()].filter((times) => times !== 1)).toEqual([]);
    await consumer.stop();
  }, 120_000);
});
