import { newEventId } from '@ficus/events';
import { graphql } from '@ficus/testkit';
import { orderCancelledEvent, paymentRequestedEvent, PaymentsHarness, startPayments } from './payments-harness';

const ORDER_PAYMENTS = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Order { id payment { id status amount { amount currency } order { id } } }
    }
  }
`;
const PAYMENTS = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Payment { id status amount { amount currency } order { id } } }
  }
`;

describe.each(['sqlite', 'postgres'] as const)('payments over GraphQL on %s', (kind) => {
  let payments: PaymentsHarness;

  beforeAll(async () => {
    payments = await startPayments(kind);
  });

  afterAll(async () => {
    await payments?.stop();
  });

  /** Sends a payment request as orders would, and waits until payments has handled it. */
  const requestPayment = async (token: string, amount: number) => {
    const request = paymentRequestedEvent(token, { amount });
    await payments.waitUntilHandled(await payments.publish(request));
    return request.aggregateId;
  };

  it('resolves the payments of 30 orders in one _entities call with one query on the payments table', async () => {
    const succeeded = [];
    for (let i = 0; i < 10; i++) succeeded.push(await requestPayment('tok_visa', 100 + i));
    const declined = [];
    for (let i = 0; i < 5; i++) declined.push(await requestPayment('tok_declined', 200 + i));
    const cancelledFirst = newEventId();
    await payments.waitUntilHandled(await payments.publish(orderCancelledEvent(cancelledFirst)));
    const unknown = Array.from({ length: 14 }, () => newEventId());
    const orderIds = [...succeeded, ...declined, cancelledFirst, ...unknown];

    const queries: string[] = [];
    const unsubscribe = payments.subgraph.queryLog.subscribe((sql) => queries.push(sql));
    const res = await graphql(payments.subgraph.url, ORDER_PAYMENTS, {
      representations: orderIds.map((id) => ({ __typename: 'Order', id })),
    });
    unsubscribe();

    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toHaveLength(30);
    const third = res.data._entities[3];
    expect(third).toEqual({
      id: succeeded[3],
      payment: { id: expect.any(String), status: 'SUCCEEDED', amount: { amount: 103, currency: 'EUR' }, order: { id: succeeded[3] } },
    });
    expect(res.data._entities[10].payment).toMatchObject({ status: 'DECLINED', amount: { amount: 200 } });
    // Cancelled before payments was asked to charge it: there is no payment to show yet.
    expect(res.data._entities[15]).toEqual({ id: cancelledFirst, payment: null });
    expect(res.data._entities[29]).toEqual({ id: unknown[13], payment: null });
    // The outbox relay polls in the background; count only what touched the payments table.
    expect(queries.filter((q) => /\bpayments\b/.test(q))).toHaveLength(1);
  });

  it('resolves Payment references to their status, amount as Money and order, in one query', async () => {
    const paid = await requestPayment('tok_visa', 1_234);
    const pending = await requestPayment('tok_timeout', 99);
    const ids = await Promise.all([paid, pending].map(async (orderId) => (await payments.payment(orderId))!.id));

    const queries: string[] = [];
    const unsubscribe = payments.subgraph.queryLog.subscribe((sql) => queries.push(sql));
    const res = await graphql(payments.subgraph.url, PAYMENTS, {
      representations: [...ids, 'no-such-payment'].map((id) => ({ __typename: 'Payment', id })),
    });
    unsubscribe();

    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { id: ids[0], status: 'SUCCEEDED', amount: { amount: 1_234, currency: 'EUR' }, order: { id: paid } },
      { id: ids[1], status: 'PENDING', amount: { amount: 99, currency: 'EUR' }, order: { id: pending } },
      null,
    ]);
    expect(queries.filter((q) => /\bpayments\b/.test(q))).toHaveLength(1);
  });

  it('shows a payment voided by a cancellation, and a refunded one', async () => {
    const timedOut = await requestPayment('tok_timeout', 500);
    const refunded = await requestPayment('tok_visa', 600);
    for (const orderId of [timedOut, refunded]) {
      await payments.waitUntilHandled(await payments.publish(orderCancelledEvent(orderId)));
    }

    const res = await graphql(payments.subgraph.url, ORDER_PAYMENTS, {
      representations: [timedOut, refunded].map((id) => ({ __typename: 'Order', id })),
    });

    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((order: { payment: { status: string } }) => order.payment.status)).toEqual(['VOIDED', 'REFUNDED']);
  });
});
