import { newEventId } from '@ficus/events';
import { identityToHeaders } from '@ficus/kit';
import { recordSubscription, SubscriptionRecording, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { NotificationsHarness, startNotifications } from './notifications-harness';

const WATCH = /* GraphQL */ `
  subscription Watch($after: ID) { notificationAdded(after: $after) { id kind message order { id } } }
`;

interface Added {
  notificationAdded: { id: string; kind: string; message: string; order: { id: string } };
}

describe.each(['sqlite', 'postgres'] as const)('notificationAdded over graphql-ws on %s', (kind) => {
  let notifications: NotificationsHarness;
  const clients: Client[] = [];

  beforeAll(async () => {
    notifications = await startNotifications(kind);
  });

  const watchings: SubscriptionRecording<Added>[] = [];

  // Every test starts with no stream open, so that one opening is seen.
  afterEach(async () => {
    for (const watching of watchings.splice(0)) watching.stop();
    await waitFor(async () => (await notifications.openStreams()) === 0, { what: 'every stream to close' });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await notifications?.stop();
  });

  /** A client connected as the gateway connects: the verified identity as headers in connection_init. */
  const clientAs = (userId: string | null) => {
    const params = userId ? { headers: identityToHeaders({ userId, email: `${userId}@example.com`, roles: ['customer'] }) } : {};
    const client = webSocketClient(notifications.subgraph.url, params);
    clients.push(client);
    return client;
  };
  /** Subscribes and waits until the subgraph serves the stream: anything stored from then on is announced to it. */
  const watch = async (userId: string | null, after?: string): Promise<SubscriptionRecording<Added>> => {
    const before = await notifications.openStreams();
    const watching = recordSubscription<Added>(clientAs(userId), WATCH, { after });
    watchings.push(watching);
    await waitFor(async () => (await notifications.openStreams()) > before || watching.errors.length > 0, { what: 'the subscription to open' });
    return watching;
  };
  const orderIdsOf = (watching: SubscriptionRecording<Added>) => watching.values.map((v) => v.notificationAdded.order.id);
  const idOf = async (orderId: string) => (await notifications.notificationsAbout(orderId))[0]!.id;

  it('sends the signed-in user a notification stored after they subscribed', async () => {
    const userId = `u-${newEventId()}`;
    const orderId = newEventId();
    const watching = await watch(userId);

    await notifications.confirmOrder(orderId, userId);

    await waitFor(() => watching.values.length === 1, { what: 'the new notification' });
    expect(watching.values).toEqual([
      {
        notificationAdded: {
          id: await idOf(orderId),
          kind: 'ORDER_CONFIRMED',
          message: `Your order ${orderId.replace(/-/g, '').slice(-8)} is confirmed.`,
          order: { id: orderId },
        },
      },
    ]);
    expect(watching.errors).toEqual([]);
    expect(watching.completed).toBe(false);
  });

  it("sends each user their own notifications and nobody else's", async () => {
    const ann = `u-${newEventId()}`;
    const bob = `u-${newEventId()}`;
    const annWatching = await watch(ann);
    const bobWatching = await watch(bob);
    const annFirst = newEventId();
    const bobOnly = newEventId();
    const annSecond = newEventId();

    await notifications.confirmOrder(annFirst, ann);
    await notifications.cancelOrder(bobOnly, bob, 'PAYMENT_DECLINED');
    await notifications.confirmOrder(annSecond, ann);

    await waitFor(() => annWatching.values.length === 2 && bobWatching.values.length === 1, { what: 'each user to get their notifications' });
    expect(orderIdsOf(annWatching)).toEqual([annFirst, annSecond]);
    expect(orderIdsOf(bobWatching)).toEqual([bobOnly]);
  });

  it('refuses an anonymous subscription with UNAUTHENTICATED', async () => {
    const refused = recordSubscription<Added>(clientAs(null), WATCH);
    await waitFor(() => refused.errors.length > 0 || refused.values.length > 0, { what: 'the refusal' });
    expect(refused.values).toEqual([]);
    expect(refused.errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('with after, sends the notifications stored since that one, oldest first, then the new ones, each once', async () => {
    const userId = `u-${newEventId()}`;
    const seen = newEventId();
    const missed = [newEventId(), newEventId()];
    const live = newEventId();
    await notifications.confirmOrder(seen, userId);
    await notifications.cancelOrder(missed[0]!, userId, 'OUT_OF_STOCK');
    await notifications.confirmOrder(missed[1]!, userId);
    await notifications.confirmOrder(newEventId(), `u-${newEventId()}`);
    // Published before the subscription: its replay below comes after the backlog already sent it.
    const [, , lastMissed] = await notifications.announcedTo(userId);

    const watching = await watch(userId, await idOf(seen));
    await waitFor(() => watching.values.length === 2, { what: 'the missed notifications' });
    await notifications.announceAgain(lastMissed!);
    await notifications.confirmOrder(live, userId);

    await waitFor(() => watching.values.length >= 3, { what: 'the new notification' });
    // The replayed event was handled before the new one (they share the subgraph's NATS connection), so a duplicate would show here.
    expect(orderIdsOf(watching)).toEqual([...missed, live]);
    expect(watching.errors).toEqual([]);
  });

  it('announces a stored notification once on the NOTIFICATIONS stream, however often its news comes', async () => {
    const userId = `u-${newEventId()}`;
    const orderId = newEventId();

    const confirmation = await notifications.confirmOrder(orderId, userId);
    await notifications.redeliver(confirmation);
    await notifications.confirmOrder(orderId, userId);

    const [notification] = await notifications.notificationsAbout(orderId);
    const announced = await notifications.announcedTo(userId);
    expect(announced).toHaveLength(1);
    expect(announced[0]).toMatchObject({
      type: 'notifications.notification.added',
      version: 1,
      aggregateId: userId,
      causationId: confirmation.id,
      correlationId: confirmation.correlationId,
      data: { notificationId: notification!.id, userId, orderId, kind: 'ORDER_CONFIRMED', createdAt: notification!.createdAt.toISOString() },
    });
  });

  it("serves a user's three tabs from one NATS subscription and one read per notification", async () => {
    const userId = `u-${newEventId()}`;
    const tabs = [await watch(userId), await watch(userId), await watch(userId)];
    expect(notifications.subgraph.feeds.subscriptionCount).toBe(1);
    const reads: string[] = [];
    // A read of one notification by its id (parameters are not in the log): what each woken tab runs.
    const unsubscribe = notifications.subgraph.queryLog.subscribe((sql) => {
      if (/^select .* from [`"]notifications[`"] as [`"]n0[`"] where [`"]n0[`"]\.[`"]id[`"] = /i.test(sql)) reads.push(sql);
    });
    const orderId = newEventId();
    try {
      await notifications.confirmOrder(orderId, userId);
      await waitFor(() => tabs.every((tab) => tab.values.length === 1), { what: 'the notification in every tab' });
    } finally {
      unsubscribe();
    }
    expect(tabs.map(orderIdsOf)).toEqual([[orderId], [orderId], [orderId]]);
    expect(reads).toHaveLength(1);
  });
});
