import {
  HttpSubscriptionProtocol,
  HttpSubscriptionRecording,
  recordHttpSubscription,
  recordSubscription,
  SubscriptionRecording,
  waitFor,
  webSocketClient,
} from '@ficus/testkit';
import { identityToHeaders, RequestSignature, signatureHeader } from '@ficus/kit';
import type { Client } from 'graphql-ws';
import { placeOrder, signUpShopper, stockedProduct } from './saga-helpers';
import { devAdmin, startTestStack, TestStack } from './stack-harness';

const STATUS_CHANGED = /* GraphQL */ `
  subscription StatusChanged($id: ID!) {
    orderStatusChanged(orderId: $id) {
      id
      status
      cancellationReason
      payment { status }
      customer { name }
      items { quantity product { name } }
    }
  }
`;

/** Named here so that the tests can sign a subscribe as the gateway does. */
const identitySecret = 'e2e-identity-signing-secret-of-32-chars';

/** Federated subscriptions through the real gateway process, with every subgraph a real process. */
describe('order status subscriptions through the gateway over graphql-ws', () => {
  let t: TestStack;
  let adminToken: string;
  let productId: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    // 100 sockets from this one test process: above the gateway's default per-client connection limit.
    t = await startTestStack('gwsubs', {
      SUBSCRIPTION_KEEP_ALIVE_MS: '1000',
      SUBSCRIPTION_CONNECTIONS_PER_CLIENT: '500',
      IDENTITY_SIGNING_SECRET: identitySecret,
    });
    adminToken = await t.signIn(devAdmin.email, devAdmin.password);
    productId = await stockedProduct(t, adminToken, 'SUB-1', 100);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });

  afterAll(async () => {
    await t?.dispose();
  });

  const connect = (token?: string) => {
    const client = webSocketClient(t.stack.gatewayUrl, token ? { authorization: `Bearer ${token}` } : {});
    clients.push(client);
    return client;
  };
  const ordersOpenStreams = async () => {
    const metrics = await (await fetch(new URL('/metrics', t.stack.urls.orders!))).text();
    return Number(/^ficus_subscriptions_open(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1] ?? NaN);
  };
  const statuses = (recording: SubscriptionRecording | HttpSubscriptionRecording) => recording.values.map((v) => v.orderStatusChanged.status);

  it('streams PENDING then CONFIRMED with the payment, customer and product fields other subgraphs own', async () => {
    const shopper = await signUpShopper(t, 'sub-ok');
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 2 }], 'tok_visa');
    const orderId = placed.data.placeOrder.id as string;

    const recording = recordSubscription(connect(shopper.token), STATUS_CHANGED, { id: orderId });

    await waitFor(() => recording.completed, { timeoutMs: 30_000, what: 'the subscription to complete at CONFIRMED' });
    expect(recording.errors).toEqual([]);
    expect(statuses(recording)).toEqual(['PENDING', 'CONFIRMED']);
    for (const value of recording.values) {
      expect(value.orderStatusChanged).toMatchObject({
        id: orderId,
        customer: { name: 'Shopper sub-ok' },
        items: [{ quantity: 2, product: { name: 'Product SUB-1' } }],
      });
    }
    expect(recording.values.at(-1).orderStatusChanged.payment).toEqual({ status: expect.any(String) });
    expect(recording.values.at(-1).orderStatusChanged.payment.status).not.toBe('DECLINED');
  });

  it('streams PENDING then CANCELLED with PAYMENT_DECLINED for a declined card', async () => {
    const shopper = await signUpShopper(t, 'sub-declined');
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_declined');
    const orderId = placed.data.placeOrder.id as string;

    const recording = recordSubscription(connect(shopper.token), STATUS_CHANGED, { id: orderId });

    await waitFor(() => recording.completed, { timeoutMs: 30_000, what: 'the subscription to complete at CANCELLED' });
    expect(recording.errors).toEqual([]);
    expect(statuses(recording)).toEqual(['PENDING', 'CANCELLED']);
    expect(recording.values.at(-1).orderStatusChanged).toMatchObject({
      cancellationReason: 'PAYMENT_DECLINED',
      customer: { name: 'Shopper sub-declined' },
      items: [{ product: { name: 'Product SUB-1' } }],
    });
  });

  it("refuses another customer's order with FORBIDDEN", async () => {
    const owner = await signUpShopper(t, 'sub-owner');
    const other = await signUpShopper(t, 'sub-other');
    const placed = await placeOrder(t, owner, [{ productId, quantity: 1 }], 'tok_visa');

    const recording = recordSubscription(connect(other.token), STATUS_CHANGED, { id: placed.data.placeOrder.id });

    await waitFor(() => recording.errors.length > 0, { what: 'the refusal' });
    expect(recording.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(recording.values).toEqual([]);
  });

  it('refuses a bad bearer token at connection', async () => {
    const recording = recordSubscription(connect('not.a.token'), STATUS_CHANGED, { id: 'any' });

    await waitFor(() => recording.errors.length > 0, { what: 'the connection to be refused' });
    expect(recording.errors[0]).toMatchObject({ code: 4401 });
  });

  it('leaves no upstream subscription or NATS subscription behind once 100 client sockets close', async () => {
    const shopper = await signUpShopper(t, 'sub-many');
    // A timed-out payment keeps the order PENDING long enough to hold the subscriptions open.
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_timeout');
    const feeds = async () => (await t.nats.subscriptionsOf('orders')).filter((subject) => subject === 'orders.>').length;
    expect(await feeds()).toBe(0);
    const sockets = Array.from({ length: 100 }, () => connect(shopper.token));
    const recordings = sockets.map((socket) => recordSubscription(socket, STATUS_CHANGED, { id: placed.data.placeOrder.id }));
    await waitFor(() => recordings.every((r) => r.values.length > 0), { timeoutMs: 30_000, what: 'the first event on each subscription' });
    expect(await ordersOpenStreams()).toBe(100);
    // One orders.> subscription on the orders service, shared by all 100 streams.
    expect(await feeds()).toBe(1);

    await Promise.all(sockets.map((socket) => socket.dispose()));

    await waitFor(async () => (await ordersOpenStreams()) === 0 && (await feeds()) === 0, {
      what: 'no stream on orders and no orders.> subscription on NATS',
    });
  });

  describe('a caller who reaches the orders subgraph directly, without the gateway', () => {
    const forgedAdmin = (userId: string) => ({ 'x-ficus-user-id': userId, 'x-ficus-user-email': 'x@example.com', 'x-ficus-user-roles': 'admin' });

    it('cannot act as someone else over HTTP: unsigned identity headers are refused with 401 UNAUTHENTICATED', async () => {
      const owner = await signUpShopper(t, 'sub-direct');
      const placed = await placeOrder(t, owner, [{ productId, quantity: 1 }], 'tok_visa');

      const response = await fetch(t.stack.urls.orders!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...forgedAdmin(owner.id) },
        body: JSON.stringify({ query: 'query($id: ID!) { order(id: $id) { id status } }', variables: { id: placed.data.placeOrder.id } }),
      });

      expect(response.status).toBe(401);
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    });

    it('cannot read orders anonymously through _entities: unsigned requests are refused with 401', async () => {
      const owner = await signUpShopper(t, 'sub-direct-entities');
      const placed = await placeOrder(t, owner, [{ productId, quantity: 1 }], 'tok_visa');
      const response = await fetch(t.stack.urls.orders!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { status total { amount } customer { id } } } }',
          variables: { r: [{ __typename: 'Order', id: placed.data.placeOrder.id }] },
        }),
      });

      expect(response.status).toBe(401);
      const body = (await response.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
      expect(body.data).toBeUndefined();
      expect(body.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    });

    it('cannot replay a signature the gateway made for one body with another body', async () => {
      const owner = await signUpShopper(t, 'sub-direct-replay');
      const placed = await placeOrder(t, owner, [{ productId, quantity: 1 }], 'tok_visa');
      const path = new URL(t.stack.urls.orders!).pathname;
      const identity = identityToHeaders({ userId: owner.id, email: '', roles: ['customer'] });
      const captured = JSON.stringify({ query: '{ __typename }' });
      const signed = { ...identity, [signatureHeader]: new RequestSignature(identitySecret).signRequest({ method: 'POST', path, body: captured, headers: identity }) };
      const send = (body: string) => fetch(t.stack.urls.orders!, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body });

      // The captured request itself is accepted: the signature is genuine.
      expect((await send(captured)).status).toBe(200);
      const replayed = await send(JSON.stringify({ query: 'query($id: ID!) { order(id: $id) { id status } }', variables: { id: placed.data.placeOrder.id } }));

      expect(replayed.status).toBe(401);
      const body = (await replayed.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    });

    it('cannot watch an order with a forged identity over graphql-ws, while a signed one on the same socket can', async () => {
      const owner = await signUpShopper(t, 'sub-direct-ws');
      const placed = await placeOrder(t, owner, [{ productId, quantity: 1 }], 'tok_timeout');
      const socket = webSocketClient(t.stack.urls.orders!, {});
      clients.push(socket);
      const query = 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status } }';
      const variables = { id: placed.data.placeOrder.id };

      const forged = recordSubscription(socket, query, variables, { headers: forgedAdmin(owner.id) });
      await waitFor(() => forged.errors.length > 0, { what: 'the forged identity to be refused' });
      const identity = identityToHeaders({ userId: owner.id, email: '', roles: ['customer'] });
      // Signed as the gateway signs a subscribe: over this operation, its variables and the x-ficus headers.
      const signed = { ...identity, [signatureHeader]: new RequestSignature(identitySecret).signOperation({ query, variables, headers: identity }) };
      const genuine = recordSubscription<{ orderStatusChanged: { status: string } }>(socket, query, variables, { headers: signed });

      expect(forged.errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      await waitFor(() => genuine.values.length > 0, { what: 'the signed subscription on the same socket' });
      expect(genuine.values[0].orderStatusChanged.status).toBe('PENDING');
    });
  });

  it('refuses an anonymous notificationAdded at the gateway with UNAUTHORIZED_FIELD_OR_TYPE', async () => {
    const recording = recordSubscription(connect(), 'subscription { notificationAdded { id } }');
    await waitFor(() => recording.errors.length > 0 || recording.values.length > 0, { what: 'the refusal' });
    expect(recording.values).toEqual([]);
    expect(recording.errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
  });

  describe.each<[HttpSubscriptionProtocol]>([['sse'], ['multipart']])('over %s on the same /graphql endpoint', (protocol) => {
    const streams: HttpSubscriptionRecording[] = [];
    afterEach(() => streams.splice(0).forEach((stream) => stream.stop()));
    const subscribe = (token: string, orderId: string) => {
      const stream = recordHttpSubscription(t.stack.gatewayUrl, protocol, STATUS_CHANGED, { id: orderId }, { authorization: `Bearer ${token}` });
      streams.push(stream);
      return stream;
    };

    it('streams PENDING then CONFIRMED with the payment, customer and product fields, then ends', async () => {
      const shopper = await signUpShopper(t, `${protocol}-ok`);
      const placed = await placeOrder(t, shopper, [{ productId, quantity: 2 }], 'tok_visa');
      const orderId = placed.data.placeOrder.id as string;

      const stream = subscribe(shopper.token, orderId);

      await waitFor(() => stream.completed && stream.closed, { timeoutMs: 30_000, what: 'the stream to end at CONFIRMED' });
      expect(stream.errors).toEqual([]);
      expect(statuses(stream)).toEqual(['PENDING', 'CONFIRMED']);
      for (const value of stream.values) {
        expect(value.orderStatusChanged).toMatchObject({
          id: orderId,
          customer: { name: `Shopper ${protocol}-ok` },
          items: [{ quantity: 2, product: { name: 'Product SUB-1' } }],
        });
      }
      expect(stream.values.at(-1).orderStatusChanged.payment.status).toEqual(expect.any(String));
      expect(stream.values.at(-1).orderStatusChanged.payment.status).not.toBe('DECLINED');
    });

    it('streams PENDING then CANCELLED with PAYMENT_DECLINED for a declined card', async () => {
      const shopper = await signUpShopper(t, `${protocol}-declined`);
      const placed = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_declined');

      const stream = subscribe(shopper.token, placed.data.placeOrder.id);

      await waitFor(() => stream.completed && stream.closed, { timeoutMs: 30_000, what: 'the stream to end at CANCELLED' });
      expect(stream.errors).toEqual([]);
      expect(statuses(stream)).toEqual(['PENDING', 'CANCELLED']);
      expect(stream.values.at(-1).orderStatusChanged).toMatchObject({
        cancellationReason: 'PAYMENT_DECLINED',
        customer: { name: `Shopper ${protocol}-declined` },
        items: [{ product: { name: 'Product SUB-1' } }],
      });
    });

    it('refuses a bad bearer token with 401 UNAUTHENTICATED', async () => {
      const stream = subscribe('not.a.token', 'any');

      await waitFor(() => stream.closed, { what: 'the refusal' });
      expect(stream.status).toBe(401);
      expect(stream.errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    });

    it('releases the subscription on orders when the client closes the response', async () => {
      const shopper = await signUpShopper(t, `${protocol}-close`);
      // A timed-out payment keeps the order PENDING long enough to hold the stream open.
      const placed = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_timeout');
      const stream = subscribe(shopper.token, placed.data.placeOrder.id);
      await waitFor(() => stream.values.length > 0, { what: 'the first event' });
      expect(await ordersOpenStreams()).toBe(1);

      stream.stop();

      await waitFor(async () => (await ordersOpenStreams()) === 0, { what: 'ficus_subscriptions_open back to 0 on orders' });
    });
  });

  it('ends an open subscription with SUBGRAPH_SUBSCRIPTION_LOST when the orders subgraph is killed', async () => {
    const shopper = await signUpShopper(t, 'sub-crash');
    const placed = await placeOrder(t, shopper, [{ productId, quantity: 1 }], 'tok_timeout');
    const recording = recordSubscription(connect(shopper.token), STATUS_CHANGED, { id: placed.data.placeOrder.id });
    await waitFor(() => recording.values.length > 0, { what: 'the first event' });

    const killedAt = Date.now();
    await t.stack.crash('orders');

    // Within the keep-alive interval (1 s here) plus the wait for a pong.
    await waitFor(() => recording.completed, { timeoutMs: 2_500, intervalMs: 20, what: 'the client subscription to end' });
    process.stdout.write(`orders killed: the client subscription ended after ${Date.now() - killedAt} ms\n`);
    expect(recording.errors.map((e) => e.extensions?.code)).toEqual(['SUBGRAPH_SUBSCRIPTION_LOST']);
    await t.stack.restart('orders');
  });
});
