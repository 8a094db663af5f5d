import { cancellationReasons, connectNats, EventData, notificationAdded, domainStreamConfig, ensureStream, EventEnvelope, EventPublisher, newEventId, orderCancelled, orderConfirmed } from '@ficus/events';
import { createLogger, OutboxEvent, readSubgraphConfig, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, startTestNatsServer, waitFor } from '@ficus/testkit';
import { jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { build } from '../src/build';
import { Notification, NotificationRow } from '../src/domain/notification';

export type CancellationReason = (typeof cancellationReasons)[number];
export type NotificationAddedData = EventData<typeof notificationAdded>;

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
  /** Waits until the outbox has published every event about the user, then returns the `notifications.notification.added` the NOTIFICATIONS stream holds for them, oldest first. */
  announcedTo(userId: string): Promise<EventEnvelope<NotificationAddedData>[]>;
  /** Publishes an envelope again on core NATS, as a relay that retried a publish would. */
  announceAgain(event: EventEnvelope): Promise<void>;
  /** Subscription streams the subgraph is serving. */
  openStreams(): Promise<number>;
  stop(): Promise<void>;
}

export async function startNotifications(kind: 'sqlite' | 'postgres'): Promise<NotificationsHarness> {
  const nats = await startTestNatsServer();
  const db = await createTestDatabase(kind, 'notifications');
  const ordersNats: NatsConnection = await connectNats({ url: nats.url, name: 'orders-in-test', logger: createLogger('orders-in-test', 'warn') });
  const jsm = await jetstreamManager(ordersNats);
  // orders owns this stream and creates it when it starts.
  await ensureStream(jsm, domainStreamConfig('orders'));
  const publisher = new EventPublisher(jetstream(ordersNats));
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
      const again = await jetstream(ordersNats).publish(event.type, new TextEncoder().encode(JSON.stringify(event)), {
        msgID: `${event.id}-again-${newEventId()}`,
      });
      expect(again.duplicate).toBe(false);
      await waitUntilHandled(again);
    },
    async announcedTo(userId) {
      await waitFor(async () => (await subgraph.orm.em.fork().count(OutboxEvent, { aggregateId: userId, publishedAt: null })) === 0, {
        what: `the outbox to publish the events about ${userId}`,
      });
      const { state } = await jsm.streams.info('NOTIFICATIONS');
      const announced: EventEnvelope<NotificationAddedData>[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const event = (await jsm.streams.getMessage('NOTIFICATIONS', { seq }))!.json<EventEnvelope<NotificationAddedData>>();
        if (event.type === notificationAdded.type && event.data.userId === userId) announced.push(event);
      }
      return announced;
    },
    async announceAgain(event) {
      ordersNats.publish(event.type, JSON.stringify(event));
      await ordersNats.flush();
    },
    async openStreams() {
      const metric = await subgraph.metrics.registry.getSingleMetricAsString('ficus_subscriptions_open');
      return Number(metric.trim().split(/\s+/).pop());
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
