import { newEventId } from '@ficus/events';
import { Identity } from '@ficus/kit';
import { errorCodes } from '@ficus/testkit';
import { admin, customer, OrdersHarness } from './orders-harness';

const ORDER = /* GraphQL */ `query Order($id: ID!) { order(id: $id) { id status customer { id } total { amount currency } } }`;
const CANCEL = /* GraphQL */ `mutation Cancel($id: ID!) { cancelOrder(id: $id) { id status cancellationReason updatedAt } }`;
const ORDER_ENTITIES = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Order { id status total { amount currency } customer { id } items { product { id } quantity unitPrice { amount } } }
    }
  }
`;
const USER_ORDERS = /* GraphQL */ `
  query($representations: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $representations) {
      ... on User {
        id
        orders(first: $first, after: $after) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { cursor node { id status createdAt } }
        }
      }
    }
  }
`;

describe.each(['sqlite', 'postgres'] as const)('orders over GraphQL on %s', (kind) => {
  let orders: OrdersHarness;
  let mug: string;

  beforeAll(async () => {
    orders = await OrdersHarness.start(kind);
    mug = await orders.knownProduct({ amount: 500, currency: 'USD' });
  });

  afterAll(async () => {
    await orders?.stop();
  });

  const order = (id: string, as: Identity | null) => orders.graphql(ORDER, { id }, as);
  const cancel = (id: string, as: Identity | null) => orders.graphql(CANCEL, { id }, as);
  const userOrders = (userIds: string[], as: Identity | null, page: { first?: number; after?: string } = {}) =>
    orders.graphql(USER_ORDERS, { representations: userIds.map((id) => ({ __typename: 'User', id })), ...page }, as);
  const place = (as: Identity, quantity = 1) => orders.placedOrder(as, [{ productId: mug, quantity }]);
  const queriesOn = async <T>(run: () => Promise<T>): Promise<{ result: T; queries: string[] }> => {
    const queries: string[] = [];
    const unsubscribe = orders.subgraph.queryLog.subscribe((sql) => queries.push(sql));
    try {
      return { result: await run(), queries };
    } finally {
      unsubscribe();
    }
  };

  describe('order(id)', () => {
    it('shows an order to its customer and to admins', async () => {
      const ann = customer();
      const id = await place(ann, 3);

      const own = await order(id, ann);
      expect(own.errors).toBeUndefined();
      expect(own.data.order).toEqual({ id, status: 'PENDING', customer: { id: ann.userId }, total: { amount: 1500, currency: 'USD' } });
      expect((await order(id, admin)).data.order).toEqual(own.data.order);
    });

    it('refuses other customers and anonymous callers, and answers null for an unknown order', async () => {
      const id = await place(customer());

      expect(errorCodes(await order(id, customer()))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await order(id, null))).toEqual(['UNAUTHENTICATED']);
      const unknown = await order(newEventId(), customer());
      expect(unknown.errors).toBeUndefined();
      expect(unknown.data.order).toBeNull();
    });
  });

  describe('cancelOrder', () => {
    it('lets the customer cancel a PENDING order, announcing it as CUSTOMER_CANCELLED', async () => {
      const ann = customer();
      const id = await place(ann);

      const res = await cancel(id, ann);

      expect(res.errors).toBeUndefined();
      expect(res.data.cancelOrder).toMatchObject({ id, status: 'CANCELLED', cancellationReason: 'CUSTOMER_CANCELLED' });
      const event = await orders.publishedEvent(id, 'orders.order.cancelled');
      expect(event.data).toEqual({ orderId: id, customerId: ann.userId, reason: 'CUSTOMER_CANCELLED' });
    });

    it('refuses to cancel an order that is no longer PENDING', async () => {
      const ann = customer();
      const confirmed = await place(ann);
      await orders.publishAndWait(orders.stockReserved(confirmed));
      await orders.publishAndWait(orders.paymentSucceeded(confirmed));
      const cancelled = await place(ann);
      await cancel(cancelled, ann);

      const late = await cancel(confirmed, ann);
      expect(errorCodes(late)).toEqual(['BAD_USER_INPUT']);
      expect(late.errors![0]!.message).toBe('order is CONFIRMED');
      const again = await cancel(cancelled, ann);
      expect(again.errors![0]!.message).toBe('order is CANCELLED');

      expect(await orders.order(confirmed)).toMatchObject({ status: 'CONFIRMED' });
      expect(await orders.recordedEvents(cancelled, 'orders.order.cancelled')).toBe(1);
    });

    it('lets only the customer cancel: others and admins are FORBIDDEN, anonymous callers UNAUTHENTICATED', async () => {
      const id = await place(customer());

      expect(errorCodes(await cancel(id, customer()))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await cancel(id, admin))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await cancel(id, null))).toEqual(['UNAUTHENTICATED']);
      expect(await orders.order(id)).toMatchObject({ status: 'PENDING' });
      expect(await orders.recordedEvents(id)).toBe(1);
    });

    it('answers NOT_FOUND for an unknown order', async () => {
      expect(errorCodes(await cancel(newEventId(), customer()))).toEqual(['NOT_FOUND']);
    });
  });

  describe('User.orders', () => {
    it("pages through a customer's orders newest first, with the total count", async () => {
      const ann = customer();
      const placed: string[] = [];
      for (let i = 0; i < 5; i++) placed.push(await place(ann));
      const newestFirst = [...placed].reverse();

      const first = await userOrders([ann.userId], ann, { first: 2 });
      expect(first.errors).toBeUndefined();
      const page1 = first.data._entities[0].orders;
      expect(page1.totalCount).toBe(5);
      expect(page1.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(newestFirst.slice(0, 2));
      expect(page1.pageInfo).toEqual({ hasNextPage: true, endCursor: page1.edges[1].cursor });
      expect(page1.edges[0].node).toEqual({
        id: newestFirst[0],
        status: 'PENDING',
        createdAt: (await orders.order(newestFirst[0]!))!.createdAt.toISOString(),
      });

      const page2 = (await userOrders([ann.userId], ann, { first: 2, after: page1.pageInfo.endCursor })).data._entities[0].orders;
      expect(page2.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(newestFirst.slice(2, 4));
      const page3 = (await userOrders([ann.userId], ann, { first: 2, after: page2.pageInfo.endCursor })).data._entities[0].orders;
      expect(page3.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(newestFirst.slice(4));
      expect(page3.pageInfo.hasNextPage).toBe(false);
      expect(page3.totalCount).toBe(5);
    });

    it('shows a customer with no orders an empty page', async () => {
      const res = await userOrders([customer().userId], admin);
      expect(res.data._entities[0].orders).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    });

    it("shows a user's orders to that user and to admins only", async () => {
      const ann = customer();
      await place(ann);

      expect((await userOrders([ann.userId], admin)).data._entities[0].orders.totalCount).toBe(1);
      expect(errorCodes(await userOrders([ann.userId], customer()))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await userOrders([ann.userId], null))).toEqual(['UNAUTHENTICATED']);
    });

    it('rejects a cursor that this API did not issue and a page larger than 100', async () => {
      const ann = customer();
      expect(errorCodes(await userOrders([ann.userId], ann, { after: 'not-a-cursor!' }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await userOrders([ann.userId], ann, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    });

    it("loads several users' pages with one query for the pages and one for the counts", async () => {
      const customers = [customer(), customer(), customer()];
      const expected: string[][] = [];
      for (const [index, someone] of customers.entries()) {
        const ids: string[] = [];
        for (let i = 0; i <= index; i++) ids.push(await place(someone));
        expected.push(ids.reverse());
      }

      const { result, queries } = await queriesOn(() => userOrders(customers.map((c) => c.userId), admin, { first: 2 }));

      expect(result.errors).toBeUndefined();
      const pages = result.data._entities.map((user: any) => user.orders);
      expect(pages.map((p: any) => p.totalCount)).toEqual([1, 2, 3]);
      expect(pages.map((p: any) => p.edges.map((e: any) => e.node.id))).toEqual([expected[0], expected[1], expected[2]!.slice(0, 2)]);
      expect(pages.map((p: any) => p.pageInfo.hasNextPage)).toEqual([false, false, true]);
      expect(queries.filter(isRequestQueryOnOrders)).toHaveLength(2);
    });
  });

  describe('entity references', () => {
    it('resolves 20 orders in one _entities call with one query on orders and one on order_items', async () => {
      const ann = customer();
      const ids: string[] = [];
      for (let i = 1; i <= 20; i++) ids.push(await place(ann, i));
      const representations = [...ids, 'no-such-order'].map((id) => ({ __typename: 'Order', id }));

      // No identity: a reference is reached only from a parent the gateway already authorized.
      const { result, queries } = await queriesOn(() => orders.graphql(ORDER_ENTITIES, { representations }, null));

      expect(result.errors).toBeUndefined();
      expect(result.data._entities).toHaveLength(21);
      expect(result.data._entities[6]).toEqual({
        id: ids[6],
        status: 'PENDING',
        total: { amount: 3500, currency: 'USD' },
        customer: { id: ann.userId },
        items: [{ product: { id: mug }, quantity: 7, unitPrice: { amount: 500 } }],
      });
      expect(result.data._entities[20]).toBeNull();
      // The outbox relay polls in the background; count only what touched these tables.
      expect(queries.filter(isRequestQueryOnOrders)).toHaveLength(1);
      expect(queries.filter((q) => /\border_items\b/.test(q))).toHaveLength(1);
    });
  });
});

/** Queries on the orders table made for the request, not by the payment-timeout sweeper polling beside it. */
function isRequestQueryOnOrders(sql: string): boolean {
  return /\borders\b/.test(sql) && !/payment_deadline/.test(sql);
}
