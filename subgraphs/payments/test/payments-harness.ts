import {
  connectNats,
  DEAD_LETTER_STREAM,
  domainStreamConfig,
  ensureStream,
  EventEnvelope,
  EventPublisher,
  newEventId,
  orderCancelled,
  paymentRequested,
} from '@ficus/events';
import { createLogger, OutboxEvent, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, startTestNatsServer, TestDatabase, TestNatsServer, waitFor } from '@ficus/testkit';
import type { MikroORM } from '@mikro-orm/core';
import { jetstream, jetstreamManager, type JetStreamManager, type PubAck, type StoredMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { build } from '../src/build';
import { readPaymentsConfig } from '../src/config';
import { Payment, PaymentRow } from '../src/domain/payment';
import type { ChargeRequest, PaymentProvider, RefundRequest } from '../src/domain/payment-provider';
import { TestPaymentProvider } from '../src/providers/test-provider';
import { countTestProviderCharges, findTestProviderCharge, TestProviderChargeRow } from '../src/providers/test-provider-charge';

/** A token the faulty provider below cannot reach: every charge with it throws, as a provider outage would. */
export const UNREACHABLE_TOKEN = 'tok_unreachable';

/**
 * The test provider with faults on cue, keyed by order id (the idempotency key):
 * `crashAfterCharge` throws once the inner provider has charged, as a payments process
 * killed between the provider's answer and the commit would; `once` faults clear themselves.
 */
export class FaultyProvider implements PaymentProvider {
  readonly crashAfterCharge = new Map<string, 'once' | 'always'>();

  constructor(private readonly inner: PaymentProvider) {}

  async charge(request: ChargeRequest) {
    if (request.token === UNREACHABLE_TOKEN) throw new Error('payment provider unreachable: connect ECONNREFUSED');
    const result = await this.inner.charge(request);
    const fault = this.crashAfterCharge.get(request.idempotencyKey);
    if (fault === 'once') this.crashAfterCharge.delete(request.idempotencyKey);
    if (fault) throw new Error(`simulated crash after the provider charged order ${request.idempotencyKey}`);
    return result;
  }

  refund(request: RefundRequest) {
    return this.inner.refund(request);
  }

  void(request: { idempotencyKey: string }) {
    return this.inner.void(request);
  }
}

/** A real payments subgraph on its own NATS and database, and a connection that publishes as orders does. */
export interface PaymentsHarness {
  readonly subgraph: SubgraphHandle;
  readonly provider: FaultyProvider;
  orders: { nats: NatsConnection; jsm: JetStreamManager; publisher: EventPublisher };
  publish(event: EventEnvelope): Promise<PubAck>;
  /** Publishes the same envelope under another Nats-Msg-Id, so only payments itself can tell it is a repeat. */
  publishAgain(event: EventEnvelope): Promise<PubAck>;
  /** Waits until payments' consumer has acknowledged (or dead-lettered) the ORDERS message at `ack.seq`. */
  waitUntilHandled(ack: PubAck): Promise<void>;
  deadLetterOf(ack: PubAck): Promise<StoredMsg>;
  payment(orderId: string): Promise<PaymentRow | null>;
  /** The types of the events recorded in the outbox about the order's payment, oldest first. */
  recordedEvents(orderId: string): Promise<string[]>;
  /** The events the PAYMENTS stream holds about an order, oldest first. */
  publishedEvents(orderId: string): Promise<EventEnvelope<Record<string, unknown>>[]>;
  charges(orderId: string): Promise<number>;
  providerRecord(orderId: string): Promise<TestProviderChargeRow | null>;
  /** Stops the service and starts it again on the same database and NATS, with a provider free of faults. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function paymentRequestedEvent(token: string, overrides: { orderId?: string; amount?: number } = {}): EventEnvelope {
  const orderId = overrides.orderId ?? newEventId();
  return paymentRequested.create(orderId, {
    orderId,
    customerId: 'customer-1',
    amount: { amount: overrides.amount ?? 4_200, currency: 'EUR' },
    paymentToken: token,
  });
}

export function orderCancelledEvent(orderId: string, reason: 'PAYMENT_TIMEOUT' | 'CUSTOMER_CANCELLED' = 'CUSTOMER_CANCELLED'): EventEnvelope {
  return orderCancelled.create(orderId, { orderId, customerId: 'customer-1', reason });
}

export async function startPayments(
  kind: 'sqlite' | 'postgres',
  consumer?: { maxDeliver?: number; backoffMs?: number[] },
): Promise<PaymentsHarness> {
  const nats: TestNatsServer = await startTestNatsServer();
  const db: TestDatabase = await createTestDatabase(kind, 'payments');
  const ordersNats = await connectNats({ url: nats.url, name: 'orders-in-test', logger: createLogger('orders-in-test', 'warn') });
  const jsm = await jetstreamManager(ordersNats);
  // orders owns this stream and creates it when it starts; payments' consumer needs it to exist.
  await ensureStream(jsm, domainStreamConfig('orders'));
  const publisher = new EventPublisher(jetstream(ordersNats));
  const config = { ...readPaymentsConfig({ NATS_URL: nats.url, LOG_LEVEL: 'silent' }), port: 0, database: db.target };
  let provider!: FaultyProvider;
  const providerFor = (orm: MikroORM) => (provider = new FaultyProvider(new TestPaymentProvider(orm)));
  let subgraph = await build(config, { consumer, paymentProvider: providerFor });
  const em = () => subgraph.orm.em.fork();
  const payment = (orderId: string) => em().findOne(Payment, { orderId });

  return {
    get subgraph() {
      return subgraph;
    },
    get provider() {
      return provider;
    },
    orders: { nats: ordersNats, jsm, publisher },
    publish: (event) => publisher.publish(event),
    async publishAgain(event) {
      const ack = await jetstream(ordersNats).publish(event.type, new TextEncoder().encode(JSON.stringify(event)), { msgID: `${event.id}-again-${newEventId()}` });
      if (ack.duplicate) throw new Error('JetStream dropped the repeat as a duplicate');
      return ack;
    },
    async waitUntilHandled(ack) {
      await waitFor(async () => (await jsm.consumers.info('ORDERS', 'payments')).ack_floor.stream_seq >= ack.seq, {
        what: `payments to handle ORDERS message ${ack.seq}`,
      });
    },
    deadLetterOf(ack) {
      return waitFor(
        async () => {
          const { state } = await jsm.streams.info(DEAD_LETTER_STREAM);
          for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
            const message = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq });
            const original = message?.header.get('x-original-stream-sequence');
            if (message?.subject === 'deadletter.ORDERS.payments' && original === String(ack.seq)) return message;
          }
          return null;
        },
        { what: `the dead-lettered copy of ORDERS message ${ack.seq}` },
      );
    },
    payment,
    async recordedEvents(orderId) {
      const found = await payment(orderId);
      if (!found) return [];
      const rows = await em().find(OutboxEvent, { aggregateId: found.id }, { orderBy: { id: 'asc' } });
      return rows.map((row) => row.type);
    },
    async publishedEvents(orderId) {
      const { state } = await jsm.streams.info('PAYMENTS');
      const events: EventEnvelope<Record<string, unknown>>[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const event = (await jsm.streams.getMessage('PAYMENTS', { seq }))!.json<EventEnvelope<Record<string, unknown>>>();
        if (event.data.orderId === orderId) events.push(event);
      }
      return events;
    },
    charges: (orderId) => countTestProviderCharges(em(), orderId),
    providerRecord: (orderId) => findTestProviderCharge(em(), orderId),
    async restart() {
      await subgraph.stop();
      subgraph = await build(config, { consumer, paymentProvider: providerFor });
    },
    async stop() {
      await subgraph.stop();
      await ordersNats.drain();
      await db.drop();
      await nats.dispose();
    },
  };
}
