import { orderConfirmed } from '@ficus/events';
import { waitFor } from '@ficus/testkit';
import { paymentEventHandlers } from '../src/events/handlers';
import type { ChargeRequest, PaymentProvider } from '../src/domain/payment-provider';
import { TestPaymentProvider } from '../src/providers/test-provider';
import { orderCancelledEvent, paymentRequestedEvent, PaymentsHarness, startPayments } from './payments-harness';

describe.each(['sqlite', 'postgres'] as const)('payments in the order saga on %s', (kind) => {
  let payments: PaymentsHarness;

  beforeAll(async () => {
    payments = await startPayments(kind, { maxDeliver: 2, backoffMs: [50] });
  });

  afterAll(async () => {
    await payments?.stop();
  });

  const settledPayment = (orderId: string) =>
    waitFor(async () => {
      const payment = await payments.payment(orderId);
      return payment && payment.status !== 'PENDING' ? payment : null;
    }, { what: `the payment of order ${orderId} to settle` });
  const publishedTypes = async (orderId: string, count: number) => {
    const events = await waitFor(async () => {
      const found = await payments.publishedEvents(orderId);
      return found.length >= count ? found : null;
    }, { what: `${count} PAYMENTS events about order ${orderId}` });
    return events.map((event) => event.type);
  };

  it('charges a tok_visa order and announces payments.payment.succeeded on the PAYMENTS stream', async () => {
    const request = paymentRequestedEvent('tok_visa', { amount: 4_200 });
    const orderId = request.aggregateId;

    await payments.publish(request);

    const payment = await settledPayment(orderId);
    expect(payment).toMatchObject({ orderId, customerId: 'customer-1', status: 'SUCCEEDED', amount: 4_200, currency: 'EUR' });
    expect(payment.providerChargeId).toMatch(/^ch_test_/);
    const [succeeded] = await waitFor(() => payments.publishedEvents(orderId).then((events) => (events.length ? events : null)));
    expect(succeeded!.type).toBe('payments.payment.succeeded');
    expect(succeeded!.data).toEqual({ orderId, paymentId: payment.id, amount: { amount: 4_200, currency: 'EUR' } });
    expect(succeeded!.causationId).toBe(request.id);
    expect(succeeded!.correlationId).toBe(request.correlationId);
    expect(await payments.charges(orderId)).toBe(1);
  });

  it('records a tok_declined charge as DECLINED with the reason, announces it, and ignores a later cancellation', async () => {
    const request = paymentRequestedEvent('tok_declined');
    const orderId = request.aggregateId;

    await payments.publish(request);

    expect(await settledPayment(orderId)).toMatchObject({ status: 'DECLINED', declineReason: 'card declined', providerChargeId: null });
    const [declined] = await waitFor(() => payments.publishedEvents(orderId).then((events) => (events.length ? events : null)));
    expect(declined!.type).toBe('payments.payment.declined');
    expect(declined!.data).toMatchObject({ orderId, reason: 'card declined' });

    // orders cancels a declined order (PAYMENT_DECLINED): there is nothing to give back.
    await payments.waitUntilHandled(await payments.publish(orderCancelledEvent(orderId)));
    expect((await payments.payment(orderId))?.status).toBe('DECLINED');
    expect(await payments.recordedEvents(orderId)).toEqual(['payments.payment.declined']);
  });

  it('declines a token the test provider does not know', async () => {
    const request = paymentRequestedEvent('tok_mastercard_please');

    await payments.publish(request);

    expect(await settledPayment(request.aggregateId)).toMatchObject({ status: 'DECLINED', declineReason: 'unknown test token' });
  });

  it('leaves a tok_timeout payment PENDING without a word, then voids it when the order is cancelled', async () => {
    const request = paymentRequestedEvent('tok_timeout');
    const orderId = request.aggregateId;

    await payments.waitUntilHandled(await payments.publish(request));
    expect((await payments.payment(orderId))?.status).toBe('PENDING');
    expect(await payments.recordedEvents(orderId)).toEqual([]);
    // Asked again while still waiting: the provider is asked again, under the same key, and still says nothing.
    await payments.waitUntilHandled(await payments.publishAgain(request));
    expect((await payments.payment(orderId))?.status).toBe('PENDING');

    await payments.waitUntilHandled(await payments.publish(orderCancelledEvent(orderId, 'PAYMENT_TIMEOUT')));

    expect(await payments.payment(orderId)).toMatchObject({ status: 'VOIDED', providerChargeId: null });
    expect(await payments.providerRecord(orderId)).toMatchObject({ status: 'voided', chargeRequests: 2, refunded: false });
    expect(await payments.recordedEvents(orderId)).toEqual([]);
  });

  it('refunds a succeeded payment when the order is cancelled, once however often it is told', async () => {
    const request = paymentRequestedEvent('tok_visa', { amount: 1_999 });
    const orderId = request.aggregateId;
    await payments.publish(request);
    await settledPayment(orderId);

    const cancellation = orderCancelledEvent(orderId);
    await payments.waitUntilHandled(await payments.publish(cancellation));
    await payments.waitUntilHandled(await payments.publishAgain(cancellation));

    const payment = await payments.payment(orderId);
    expect(payment).toMatchObject({ status: 'REFUNDED' });
    expect(payment?.providerRefundId).toMatch(/^re_test_/);
    expect(await publishedTypes(orderId, 2)).toEqual(['payments.payment.succeeded', 'payments.payment.refunded']);
    const [, refunded] = await payments.publishedEvents(orderId);
    expect(refunded!.data).toEqual({ orderId, paymentId: payment!.id, amount: { amount: 1_999, currency: 'EUR' } });
    expect(await payments.charges(orderId)).toBe(1);
    expect(await payments.providerRecord(orderId)).toMatchObject({ status: 'succeeded', refunded: true, providerRefundId: payment!.providerRefundId });
  });

  it('records a tombstone for a cancellation that arrives before the request, so the request charges nothing', async () => {
    const request = paymentRequestedEvent('tok_visa', { amount: 750 });
    const orderId = request.aggregateId;

    await payments.waitUntilHandled(await payments.publish(orderCancelledEvent(orderId)));
    expect(await payments.payment(orderId)).toMatchObject({ status: 'VOIDED', amount: null });
    await payments.waitUntilHandled(await payments.publish(request));

    expect(await payments.payment(orderId)).toMatchObject({ status: 'VOIDED', amount: 750, currency: 'EUR' });
    expect(await payments.charges(orderId)).toBe(0);
    expect(await payments.providerRecord(orderId)).toBeNull();
    expect(await payments.recordedEvents(orderId)).toEqual([]);
  });

  it.each(['tok_visa', 'tok_declined'])(
    'charges a %s order once and announces it once when the request arrives again under another message id',
    async (token) => {
      const request = paymentRequestedEvent(token);
      const orderId = request.aggregateId;
      await payments.waitUntilHandled(await payments.publish(request));
      const first = await payments.payment(orderId);

      await payments.waitUntilHandled(await payments.publishAgain(request));
      await payments.waitUntilHandled(await payments.publishAgain(request));

      expect(await payments.payment(orderId)).toEqual(first);
      expect(await payments.providerRecord(orderId)).toMatchObject({ chargeRequests: 1 });
      expect(await payments.recordedEvents(orderId)).toHaveLength(1);
      await payments.subgraph.relay.relayBatch();
      expect(await payments.publishedEvents(orderId)).toHaveLength(1);
    },
  );

  it('charges once when the same request is handled twice at the same moment', async () => {
    const request = paymentRequestedEvent('tok_visa');
    const orderId = request.aggregateId;
    // Both deliveries reach the provider before either records anything.
    const provider = new BothAtOnce(new TestPaymentProvider(payments.subgraph.orm), 2);
    const [onRequested] = paymentEventHandlers(payments.subgraph.orm, provider);
    const context = { attempt: 1, logger: payments.subgraph.logger };

    await Promise.all([onRequested!.handle(request, context), onRequested!.handle(request, context)]);

    expect((await payments.payment(orderId))?.status).toBe('SUCCEEDED');
    expect(await payments.charges(orderId)).toBe(1);
    expect(await payments.providerRecord(orderId)).toMatchObject({ chargeRequests: 2 });
    expect(await payments.recordedEvents(orderId)).toEqual(['payments.payment.succeeded']);
  });

  it('heals a crash between the charge and its record: the redelivery records SUCCEEDED without charging again', async () => {
    const request = paymentRequestedEvent('tok_visa');
    const orderId = request.aggregateId;
    payments.provider.crashAfterCharge.set(orderId, 'once');

    await payments.waitUntilHandled(await payments.publish(request));

    expect((await payments.payment(orderId))?.status).toBe('SUCCEEDED');
    expect(await payments.charges(orderId)).toBe(1);
    expect(await payments.providerRecord(orderId)).toMatchObject({ status: 'succeeded', chargeRequests: 2 });
    expect(await publishedTypes(orderId, 1)).toEqual(['payments.payment.succeeded']);
  });

  it('acknowledges the ORDERS events it does not handle and records nothing for them', async () => {
    const confirmed = orderConfirmed.create('order-x', { orderId: 'order-x', customerId: 'customer-1', total: { amount: 1, currency: 'EUR' } });

    await payments.waitUntilHandled(await payments.publish(confirmed));

    expect(await payments.payment('order-x')).toBeNull();
  });
});

/** Holds every charge until `parties` of them are in flight, then lets them all through at once. */
class BothAtOnce implements PaymentProvider {
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly inner: PaymentProvider,
    private readonly parties: number,
  ) {}

  async charge(request: ChargeRequest) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.waiting.length} charge call(s) arrived`)), 10_000);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
      if (this.waiting.length === this.parties) for (const release of this.waiting.splice(0)) release();
    });
    return this.inner.charge(request);
  }

  refund: PaymentProvider['refund'] = (request) => this.inner.refund(request);
  void: PaymentProvider['void'] = (request) => this.inner.void(request);
}
