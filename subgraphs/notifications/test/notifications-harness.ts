import { cancellationReasons, connectNats, domainStreamConfig, ensureStream, EventEnvelope, EventPublisher, newEventId, orderCancelled, orderConfirmed } from '@ficus/events';
import { createLogger, readSubgraphConfig, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, startTestNatsServer, waitFor } from '@ficus/testkit';
import type { NatsConnection, PubAck } from 'nats';
import { build } from '../src/build';
import { Notification, NotificationRow } from '../src/domain/notification';

export type CancellationReason = (typeof cancellationReasons)[number];

/** A real notifications subgraph, on its own NATS and database, and a connection that publishes as orders does. */
export interface NotificationsHarness {
  subgraph: SubgraphHandle;
  /** Publishes `orders.order.confirmed` and waits until notifications has handled it. */
  confirmOrder(orderId: string, customerId: string): Promise<EventEnvelope>;
  /** Publishes `orders.order.cancelled` and waits until notifications has handled it. */
  cancelOrder(orderId: string, customerId: string, reason: CancellationReason): Promise<EventEnvelope>;
  /** Publishes an event again under another Nats-Msg-Id, so that only the inbox can stop it, and waits until it is handled. */
  redeliver(event: EventEnvelope): Promise<void>;
  notificationsAbout(orderId: string): Promise<NotificationRow[]>;
  stop(): Promise<void>;
}

export async function startNotifications(kind: 'sqlite' | 'postgres'): Promise<NotificationsHarness> {
  const nats = await startTestNatsServer();
  const db = await createTestDatabase(kind, 'notifications');
  const ordersNats: NatsConnection = await connectNats({ url: nats.url, name: 'orders-in-test', logger: createLogger('orders-in-test', 'warn') });
  const jsm = await ordersNats.jetstreamManager();
  // orders owns this stream and creates it when it starts.
  await ensureStream(jsm, domainStreamConfig('orders'));
  const publisher = new EventPublisher(ordersNats.jetstream());
  const config = readSubgraphConfig('notifications', 0, { NATS_URL: nats.url, LOG_LEVEL: 'silent' });
  const subgraph = await build({ ...config, port: 0, database: db.target }, { consumer: { maxDeliver: 3, backoffMs: [50] } });

  const waitUntilHandled = async (ack: PubAck) => {
    await waitFor(async () => (await jsm.consumers.info(ack.stream, 'notifications')).ack_floor.stream_seq >= ack.seq, {
      what: `notifications to handle ${ack.stream} message ${ack.seq}`,
    });
  };
  const publish = async (event: EventEnvelope) => {
    await waitUntilHandled(await publisher.publish(event));
    return event;
  };
  const total = { amount: 2500, currency: 'USD' };

  return {
    subgraph,
    confirmOrder: (orderId, customerId) => publish(orderConfirmed.create(orderId, { orderId, customerId, total })),
    cancelOrder: (orderId, customerId, reason) => publish(orderCancelled.create(orderId, { orderId, customerId, reason })),
    async redeliver(event) {
      const again = await ordersNats.jetstream().publish(event.type, new TextEncoder().encode(JSON.stringify(event)), {
        msgID: `${event.id}-again-${newEventId()}`,
      });
      expect(again.duplicate).toBe(false);
      await waitUntilHandled(again);
    },
    notificationsAbout: (orderId) => subgraph.orm.em.fork().find(Notification, { orderId }, { orderBy: { kind: 'asc' } }),
    async stop() {
      await subgraph.stop();
      await ordersNats.drain();
      await db.drop();
      await nats.dispose();
    },
  };
}
