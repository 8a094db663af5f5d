import { newEventId } from '@ficus/events';
import { identityToHeaders } from '@ficus/kit';
import { errorCodes, graphql } from '@ficus/testkit';
import { NotificationsHarness, startNotifications } from './notifications-harness';

const headersOf = (userId: string, roles = ['customer']) => identityToHeaders({ userId, email: `${userId}@example.com`, roles });
const admin = headersOf('u-admin', ['admin']);

const USER_NOTIFICATIONS = /* GraphQL */ `
  query($representations: [_Any!]!, $first: Int) {
    _entities(representations: $representations) {
      ... on User { id notifications(first: $first) { id kind message createdAt order { id } } }
    }
  }
`;
const NOTIFICATIONS = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Notification { id kind message order { id } } }
  }
`;

/** The last 8 characters of an order id, as the messages name orders. */
const ref = (orderId: string) => orderId.replace(/-/g, '').slice(-8);

describe.each(['sqlite', 'postgres'] as const)('notifications subgraph on %s', (kind) => {
  let notifications: NotificationsHarness;

  beforeAll(async () => {
    notifications = await startNotifications(kind);
  });

  afterAll(async () => {
    await notifications?.stop();
  });

  const notificationsOf = (userIds: string[], headers: Record<string, string>, first?: number) =>
    graphql(notifications.subgraph.url, USER_NOTIFICATIONS, { representations: userIds.map((id) => ({ __typename: 'User', id })), first }, headers);
  /** Runs `run` and returns the SQL it sent to the notifications table (the logged SQL carries its parameters, so match the FROM). */
  const sqlOn = async <T>(run: () => Promise<T>): Promise<{ result: T; queries: string[] }> => {
    const queries: string[] = [];
    const unsubscribe = notifications.subgraph.queryLog.subscribe((sql) => queries.push(sql));
    try {
      const result = await run();
      return { result, queries: queries.filter((sql) => /\bfrom [`"]?notifications\b/i.test(sql)) };
    } finally {
      unsubscribe();
    }
  };

  it('tells the customer that their order is confirmed', async () => {
    const userId = `u-${newEventId()}`;
    const orderId = newEventId();

    await notifications.confirmOrder(orderId, userId);

    const res = await notificationsOf([userId], headersOf(userId));
    expect(res.errors).toBeUndefined();
    const [notification] = res.data._entities[0].notifications;
    expect(notification).toEqual({
      id: expect.any(String),
      kind: 'ORDER_CONFIRMED',
      message: `Your order ${ref(orderId)} is confirmed.`,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      order: { id: orderId },
    });
    expect(Date.now() - Date.parse(notification.createdAt)).toBeLessThan(60_000);
  });

  it.each([
    ['PAYMENT_DECLINED', 'was cancelled: payment declined.'],
    ['OUT_OF_STOCK', 'was cancelled: some items are out of stock.'],
    ['PAYMENT_TIMEOUT', 'was cancelled: the payment did not go through in time.'],
    ['CUSTOMER_CANCELLED', 'was cancelled, as you asked.'],
  ] as const)('tells the customer in plain words that their order was cancelled for %s', async (reason, wording) => {
    const userId = `u-${newEventId()}`;
    const orderId = newEventId();

    await notifications.cancelOrder(orderId, userId, reason);

    expect(await notifications.notificationsAbout(orderId)).toEqual([
      expect.objectContaining({ userId, orderId, kind: 'ORDER_CANCELLED', message: `Your order ${ref(orderId)} ${wording}` }),
    ]);
  });

  it('creates no second notification when an event is delivered again or the same news comes under another event id', async () => {
    const userId = `u-${newEventId()}`;
    const confirmed = newEventId();
    const cancelled = newEventId();

    const confirmation = await notifications.confirmOrder(confirmed, userId);
    await notifications.redeliver(confirmation);
    await notifications.confirmOrder(confirmed, userId);
    const cancellation = await notifications.cancelOrder(cancelled, userId, 'PAYMENT_TIMEOUT');
    await notifications.redeliver(cancellation);
    await notifications.cancelOrder(cancelled, userId, 'PAYMENT_TIMEOUT');

    expect(await notifications.notificationsAbout(confirmed)).toHaveLength(1);
    expect(await notifications.notificationsAbout(cancelled)).toHaveLength(1);
  });

  it("lists a user's notifications newest first, as many as asked for, and nobody else's", async () => {
    const userId = `u-${newEventId()}`;
    const orders = [newEventId(), newEventId(), newEventId()];
    await notifications.confirmOrder(orders[0]!, userId);
    await notifications.cancelOrder(orders[1]!, userId, 'CUSTOMER_CANCELLED');
    await notifications.confirmOrder(orders[2]!, userId);
    await notifications.confirmOrder(newEventId(), `u-${newEventId()}`);

    const all = await notificationsOf([userId], headersOf(userId));
    const two = await notificationsOf([userId], headersOf(userId), 2);

    expect(all.data._entities[0].notifications.map((n: { order: { id: string } }) => n.order.id)).toEqual([...orders].reverse());
    expect(two.data._entities[0].notifications.map((n: { order: { id: string } }) => n.order.id)).toEqual([orders[2], orders[1]]);
    expect((await notificationsOf([`u-${newEventId()}`], admin)).data._entities[0].notifications).toEqual([]);
  });

  it("shows a user's notifications to that user and to admins only", async () => {
    const userId = `u-${newEventId()}`;
    await notifications.confirmOrder(newEventId(), userId);

    const anonymous = await notificationsOf([userId], {});
    const someoneElse = await notificationsOf([userId], headersOf('u-someone-else'));
    const asAdmin = await notificationsOf([userId], admin);

    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(someoneElse)).toEqual(['FORBIDDEN']);
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data._entities[0].notifications).toHaveLength(1);
  });

  it('refuses a count below 0 or above 100 with BAD_USER_INPUT', async () => {
    const userId = `u-${newEventId()}`;

    expect(errorCodes(await notificationsOf([userId], headersOf(userId), 101))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await notificationsOf([userId], headersOf(userId), -1))).toEqual(['BAD_USER_INPUT']);
  });

  it('loads the notifications of 10 users in one query', async () => {
    const userIds = Array.from({ length: 10 }, () => `u-${newEventId()}`);
    for (const userId of userIds) {
      await notifications.confirmOrder(newEventId(), userId);
      await notifications.cancelOrder(newEventId(), userId, 'OUT_OF_STOCK');
    }

    const { result: res, queries } = await sqlOn(() => notificationsOf(userIds, admin, 1));

    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((user: { id: string; notifications: unknown[] }) => [user.id, user.notifications.length])).toEqual(
      userIds.map((id) => [id, 1]),
    );
    expect(res.data._entities[0].notifications[0].kind).toBe('ORDER_CANCELLED');
    expect(queries).toHaveLength(1);
  });

  it('resolves 20 notification references in one query, to their owner or an admin only', async () => {
    const userId = `u-${newEventId()}`;
    const orderIds = Array.from({ length: 20 }, () => newEventId());
    for (const orderId of orderIds) await notifications.confirmOrder(orderId, userId);
    const ids = (await Promise.all(orderIds.map((orderId) => notifications.notificationsAbout(orderId)))).map(([row]) => row!.id);
    const representations = ids.map((id) => ({ __typename: 'Notification', id }));

    const { result: res, queries } = await sqlOn(() =>
      graphql(notifications.subgraph.url, NOTIFICATIONS, { representations }, headersOf(userId)),
    );

    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((n: { id: string }) => n.id)).toEqual(ids);
    expect(res.data._entities[4]).toEqual({
      id: ids[4],
      kind: 'ORDER_CONFIRMED',
      message: `Your order ${ref(orderIds[4]!)} is confirmed.`,
      order: { id: orderIds[4] },
    });
    expect(queries).toHaveLength(1);

    const one = { representations: representations.slice(0, 1) };
    expect((await graphql(notifications.subgraph.url, NOTIFICATIONS, one, admin)).data._entities[0].id).toBe(ids[0]);
    expect(errorCodes(await graphql(notifications.subgraph.url, NOTIFICATIONS, one, headersOf('u-someone-else')))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await graphql(notifications.subgraph.url, NOTIFICATIONS, one, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('resolves a reference to a notification that does not exist to null', async () => {
    const res = await graphql(notifications.subgraph.url, NOTIFICATIONS, { representations: [{ __typename: 'Notification', id: newEventId() }] }, admin);

    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([null]);
  });
});
