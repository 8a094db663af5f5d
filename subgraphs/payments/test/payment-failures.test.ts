import { waitFor } from '@ficus/testkit';
import type { PaymentStatus } from '../src/domain/payment';
import { orderCancelledEvent, paymentRequestedEvent, PaymentsHarness, startPayments, UNREACHABLE_TOKEN } from './payments-harness';

// Every test here dead-letters an event. nats-server 2.9 ignores the consumer's `+TERM <reason>`,
// so a dead-lettered message stays unacknowledged and the consumer's ack floor stops at it:
// these tests wait on what payments records, never on the ack floor.
describe.each(['sqlite', 'postgres'] as const)('payments when the provider or the process fails, on %s', (kind) => {
  let payments: PaymentsHarness;

  beforeAll(async () => {
    payments = await startPayments(kind, { maxDeliver: 2, backoffMs: [50] });
  });

  afterAll(async () => {
    await payments?.stop();
  });

  const paymentIn = (orderId: string, status: PaymentStatus) =>
    waitFor(async () => {
      const payment = await payments.payment(orderId);
      return payment?.status === status ? payment : null;
    }, { what: `the payment of order ${orderId} to be ${status}` });

  it('retries a request the provider keeps failing, dead-letters it, and still charges the order published after it', async () => {
    const failing = paymentRequestedEvent(UNREACHABLE_TOKEN);
    const healthy = paymentRequestedEvent('tok_visa');

    const failingAck = await payments.publish(failing);
    await payments.publish(healthy);

    const deadLetter = await payments.deadLetterOf(failingAck);
    expect(deadLetter.subject).toBe('deadletter.ORDERS.payments');
    expect(deadLetter.header.get('x-delivery-count')).toBe('2');
    expect(deadLetter.header.get('x-dead-letter-reason')).toMatch(/provider unreachable/);
    expect(deadLetter.json<{ id: string }>().id).toBe(failing.id);
    await paymentIn(healthy.aggregateId, 'SUCCEEDED');
    // Recorded before the provider was called; orders' payment timeout will cancel the order and payments will void it.
    expect((await payments.payment(failing.aggregateId))?.status).toBe('PENDING');
    expect(await payments.charges(failing.aggregateId)).toBe(0);
  });

  it('refunds an order whose charge succeeded but was never recorded, when the cancellation comes first', async () => {
    const request = paymentRequestedEvent('tok_visa', { amount: 300 });
    const orderId = request.aggregateId;
    payments.provider.crashAfterCharge.set(orderId, 'always');
    const deadLetter = await payments.deadLetterOf(await payments.publish(request));
    expect(deadLetter.header.get('x-dead-letter-reason')).toMatch(/simulated crash/);
    expect((await payments.payment(orderId))?.status).toBe('PENDING');

    // Told to void it, the provider answers that the charge went through: payments refunds it.
    await payments.publish(orderCancelledEvent(orderId, 'PAYMENT_TIMEOUT'));

    const payment = await paymentIn(orderId, 'REFUNDED');
    expect(payment.providerChargeId).toMatch(/^ch_test_/);
    expect(await payments.charges(orderId)).toBe(1);
    expect(await payments.providerRecord(orderId)).toMatchObject({ status: 'succeeded', refunded: true });
    expect(await payments.recordedEvents(orderId)).toEqual(['payments.payment.refunded']);
  });

  it('remembers across a restart what the provider charged, so a request replayed afterwards is not charged again', async () => {
    const request = paymentRequestedEvent('tok_visa');
    const orderId = request.aggregateId;
    payments.provider.crashAfterCharge.set(orderId, 'always');
    await payments.deadLetterOf(await payments.publish(request));
    expect(await payments.charges(orderId)).toBe(1);

    await payments.restart();
    // An operator replays the dead-lettered request.
    await payments.publishAgain(request);

    await paymentIn(orderId, 'SUCCEEDED');
    expect(await payments.charges(orderId)).toBe(1);
    expect(await payments.providerRecord(orderId)).toMatchObject({ chargeRequests: 3 });
    expect(await payments.recordedEvents(orderId)).toEqual(['payments.payment.succeeded']);
  });
});
