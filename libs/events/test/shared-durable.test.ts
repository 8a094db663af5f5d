import { startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import { connectNats, domainStreamConfig, ensureStream, EventConsumer, EventPublisher, on, userRegistered } from '../src';

const logger = pino({ level: 'silent' });

// Replicas of a service run one EventConsumer each under the service's name: one durable, shared.
describe('two instances of a service consuming under one durable name', () => {
  let server: TestNatsServer;
  let publishing: NatsConnection;
  const instances: NatsConnection[] = [];

  beforeAll(async () => {
    server = await startTestNatsServer();
    publishing = await connectNats({ url: server.url, name: 'publisher', logger });
    await ensureStream(await jetstreamManager(publishing), domainStreamConfig('users'));
    for (const name of ['instance-a', 'instance-b']) instances.push(await connectNats({ url: server.url, name, logger }));
  });

  afterAll(async () => {
    for (const nc of instances) await nc.close();
    await publishing?.close();
    await server?.dispose();
  });

  it('hand each event to one of them only, and both take a share', async () => {
    const handledBy = new Map<string, string[]>();
    const consumers = instances.map(
      (nc, i) =>
        new EventConsumer(nc, {
          durable: 'welcome-mails',
          logger,
          handlers: [
            on(userRegistered, async (event) => {
              handledBy.set(event.id, [...(handledBy.get(event.id) ?? []), `instance-${i}`]);
            }),
          ],
        }),
    );
    for (const consumer of consumers) await consumer.start();

    const publisher = new EventPublisher(jetstream(publishing));
    const events = Array.from({ length: 200 }, (_, n) =>
      userRegistered.create(`u-${n}`, { userId: `u-${n}`, email: `user${n}@example.com`, name: `User ${n}` }),
    );
    for (const event of events) await publisher.publish(event);

    const jsm = await jetstreamManager(publishing);
    await waitFor(
      async () => {
        const info = await jsm.consumers.info('USERS', 'welcome-mails');
        return info.ack_floor.stream_seq === events.length && info.num_ack_pending === 0;
      },
      { what: 'every event to be handled and acknowledged' },
    );
    await Promise.all(consumers.map((consumer) => consumer.stop()));

    expect([...handledBy.keys()].sort()).toEqual(events.map((event) => event.id).sort());
    expect([...handledBy.values()].filter((instancesOfEvent) => instancesOfEvent.length !== 1)).toEqual([]);
    const shares = ['instance-0', 'instance-1'].map((name) => [...handledBy.values()].filter(([by]) => by === name).length);
    expect(Math.min(...shares)).toBeGreaterThan(0);
    expect((await jsm.consumers.list('USERS').next()).map((consumer) => consumer.name)).toEqual(['welcome-mails']);
  });
});
