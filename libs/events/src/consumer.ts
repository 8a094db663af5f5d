import pLimit from 'p-limit';
import { AckPolicy, ConsumerConfig, ConsumerMessages, DeliverPolicy, jetstream, jetstreamManager, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, NatsConnection } from '@nats-io/transport-node';
import { EventContract, EventData } from './contract';
import { envelopeSchema, EventEnvelope } from './envelope';
import { untilJetStreamAnswers } from './jetstream-answer';
import { Logger } from './logger';
import { AGGREGATE_ID_HEADER } from './publisher';
import { tracedProcess } from './trace-context';
import { DEAD_LETTER_SUBJECT_PREFIX, deadLetterStreamConfig, domainStreamConfig, ensureStream, streamNameFor } from './streams';

export interface DeliveryContext {
  /** 1 on the first delivery, 2 on the first redelivery, … */
  attempt: number;
  /** Tagged with the event id, type and attempt. */
  logger: Logger;
}

export interface EventHandler<C extends EventContract = EventContract> {
  contract: C;
  handle(event: EventEnvelope<EventData<C>>, context: DeliveryContext): Promise<void>;
}

/** Pairs a contract with its handler, keeping the handler's `data` typed by the contract. */
export function on<C extends EventContract>(
  contract: C,
  handle: (event: EventEnvelope<EventData<C>>, context: DeliveryContext) => Promise<void>,
): EventHandler<C> {
  return { contract, handle };
}

export interface EventConsumerOptions {
  /** Durable consumer name, one per consuming service (e.g. `inventory`). */
  durable: string;
  handlers: readonly EventHandler[];
  logger: Logger;
  /** Deliveries before an event is dead-lettered. */
  maxDeliver?: number;
  /** Delay before each redelivery; the last value repeats. */
  backoffMs?: readonly number[];
  /**
   * How long the server waits for a sign of life before redelivering an event to another
   * process. Events in hand are kept alive (+WPI) while they wait or run, so this bounds how
   * long a crashed consumer's events stay stuck, not how long a handler may take.
   */
  ackWaitMs?: number;
  /** Told of every outcome, for metrics. */
  observer?: DeliveryObserver;
  /**
   * Events handled at once per stream. Events of one aggregate (one order) are still
   * handled one after another, in stream order.
   */
  concurrency?: number;
  /** Replicas of the streams this consumer creates or finds (NATS_STREAM_REPLICAS); unset leaves them as they are. */
  streamReplicas?: number;
}

export type DeliveryOutcome = 'handled' | 'skipped' | 'retried' | 'dead-lettered';

export interface DeliveryObserver {
  delivered(outcome: DeliveryOutcome, details: { stream: string; eventType: string; durationMs: number }): void;
}

const decoder = new TextDecoder();

/** Events in hand per handler slot: enough to keep slots busy across aggregates, few enough to heartbeat. */
const MAX_ACK_PENDING_PER_SLOT = 8;

/**
 * How long one pull request lives; the server heartbeats it every half of this. A pull lost
 * with a cluster node (or a consumer leader that moved) is noticed after two missed
 * heartbeats, so this bounds how long events stall when a NATS node dies: 5 s instead of
 * the client's default 30 s, for one idle pull every 5 s.
 */
const PULL_EXPIRES_MS = 5_000;

/**
 * Durable, explicitly acknowledged pull consumers: one per stream that the handlers read
 * from, filtered to the handled event types. A failing handler is retried with backoff;
 * after the last try, or at once for an event that cannot be parsed, the event goes to
 * `deadletter.<stream>.<durable>` and is acknowledged there.
 */
export class EventConsumer {
  private readonly maxDeliver: number;
  private readonly backoffMs: readonly number[];
  private readonly ackWaitMs: number;
  private readonly concurrency: number;
  private readonly subscriptions: ConsumerMessages[] = [];
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: EventConsumerOptions,
  ) {
    this.maxDeliver = options.maxDeliver ?? 5;
    this.backoffMs = options.backoffMs ?? [1_000, 5_000, 15_000, 30_000];
    this.ackWaitMs = options.ackWaitMs ?? 5_000;
    this.concurrency = options.concurrency ?? 8;
  }

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const streamOptions = { replicas: this.options.streamReplicas, logger: this.options.logger };
    await ensureStream(jsm, deadLetterStreamConfig(), streamOptions);
    const byStream = new Map<string, EventHandler[]>();
    for (const handler of this.options.handlers) {
      const stream = streamNameFor(handler.contract.domain);
      byStream.set(stream, [...(byStream.get(stream) ?? []), handler]);
    }
    for (const [stream, handlers] of byStream) {
      // The producer owns its stream, but a consumer may start first: creating it is idempotent.
      await ensureStream(jsm, domainStreamConfig(handlers[0]!.contract.domain), streamOptions);
      const config: Partial<ConsumerConfig> = {
        durable_name: this.options.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        // One subject per consumer keeps this working on nats-server 2.9 (no filter_subjects);
        // events of the domain that no handler wants are acknowledged and skipped.
        filter_subject: filterSubjectFor(handlers),
        ack_wait: this.ackWaitMs * 1e6,
        // Dead-lettering is decided here, so the server never gives up on a message by itself.
        max_deliver: -1,
        max_ack_pending: this.concurrency * MAX_ACK_PENDING_PER_SLOT,
      };
      await untilJetStreamAnswers(`consumer ${this.options.durable} on ${stream}`, () => jsm.consumers.add(stream, config), this.options.logger);
      const consumer = await untilJetStreamAnswers(`consumer ${this.options.durable} on ${stream}`, () => jetstream(this.nc).consumers.get(stream, this.options.durable), this.options.logger);
      const messages = await consumer.consume({ max_messages: 32, expires: PULL_EXPIRES_MS });
      this.subscriptions.push(messages);
      this.loops.push(this.run(stream, messages, handlers));
    }
  }

  /** Stops pulling, lets the event in hand finish, and returns. */
  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.map((m) => m.close()));
    await Promise.all(this.loops);
  }

  private async run(stream: string, messages: ConsumerMessages, handlers: EventHandler[]): Promise<void> {
    const slots = pLimit(this.concurrency);
    const inFlight = new Set<Promise<void>>();
    const lastOfAggregate = new Map<string, Promise<void>>();
    const inHand = new Set<JsMsg>();
    // A short ack wait brings a crashed process's events back quickly; the events this process
    // holds (queued behind their aggregate or a free slot, or being handled) must not be.
    const keepAlive = setInterval(() => inHand.forEach((msg) => msg.working()), Math.max(100, this.ackWaitMs / 3));
    try {
      // Never blocks on handlers, so nothing ages unseen in the client's buffer; the server's
      // max_ack_pending bounds how much is in hand.
      for await (const msg of messages) {
        inHand.add(msg);
        const aggregate = msg.headers?.get(AGGREGATE_ID_HEADER) || '';
        const task = (lastOfAggregate.get(aggregate) ?? Promise.resolve())
          .then(() => slots(() => this.deliver(stream, msg, handlers)))
          .catch((err) => this.options.logger.error({ err, subject: msg.subject }, 'event delivery failed; the server will redeliver it'));
        lastOfAggregate.set(aggregate, task);
        inFlight.add(task);
        void task.then(() => {
          inHand.delete(msg);
          inFlight.delete(task);
          if (lastOfAggregate.get(aggregate) === task) lastOfAggregate.delete(aggregate);
        });
      }
      await Promise.all(inFlight);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async deliver(stream: string, msg: JsMsg, handlers: EventHandler[]): Promise<void> {
    const started = performance.now();
    const outcome = await this.handle(stream, msg, handlers);
    this.options.observer?.delivered(outcome, {
      stream,
      eventType: msg.subject,
      durationMs: performance.now() - started,
    });
  }

  private async handle(stream: string, msg: JsMsg, handlers: EventHandler[]): Promise<DeliveryOutcome> {
    const attempt = msg.info.deliveryCount;
    let envelope: EventEnvelope;
    try {
      envelope = envelopeSchema.parse(JSON.parse(decoder.decode(msg.data))) as EventEnvelope;
    } catch (err) {
      const logger = this.options.logger.child({ stream, subject: msg.subject, attempt });
      return this.deadLetter(stream, msg, `unreadable envelope: ${String(err)}`, logger);
    }
    if (!handlers.some((h) => h.contract.type === envelope.type)) {
      msg.ack();
      return 'skipped';
    }
    // One child logger per handled event: building them is a visible cost per delivery.
    const logger = this.options.logger.child({
      stream,
      subject: msg.subject,
      attempt,
      eventId: envelope.id,
      eventType: envelope.type,
      correlationId: envelope.correlationId,
    });
    const handler = handlers.find((h) => h.contract.type === envelope.type && h.contract.version === envelope.version);
    if (!handler) {
      return this.deadLetter(stream, msg, `no handler for ${envelope.type} v${envelope.version}`, logger);
    }
    try {
      const data = handler.contract.parse(envelope.data);
      await tracedProcess(msg.subject, { eventId: envelope.id, consumer: this.options.durable, attempt }, msg.headers, () =>
        handler.handle({ ...envelope, data }, { attempt, logger }),
      );
      msg.ack();
      return 'handled';
    } catch (err) {
      if (attempt >= this.maxDeliver || err instanceof Error && err.name === 'EventContractError') {
        return this.deadLetter(stream, msg, String(err), logger);
      }
      const delay = this.backoffMs[Math.min(attempt - 1, this.backoffMs.length - 1)] ?? 1_000;
      logger.warn({ err, retryInMs: delay }, 'event handler failed; will retry');
      msg.nak(delay);
      return 'retried';
    }
  }

  private async deadLetter(stream: string, msg: JsMsg, reason: string, logger: Logger): Promise<DeliveryOutcome> {
    // Header values are single lines; validation errors span several.
    const oneLineReason = reason.replace(/[\r\n]+/g, ' ').slice(0, 1_000);
    const h = natsHeaders();
    h.set('x-dead-letter-reason', oneLineReason);
    h.set('x-original-subject', msg.subject);
    h.set('x-original-stream-sequence', String(msg.info.streamSequence));
    h.set('x-delivery-count', String(msg.info.deliveryCount));
    try {
      await jetstream(this.nc).publish(`${DEAD_LETTER_SUBJECT_PREFIX}.${stream}.${this.options.durable}`, msg.data, {
        headers: h,
        msgID: `${stream}:${this.options.durable}:${msg.info.streamSequence}`,
      });
      logger.error({ reason: oneLineReason }, 'event dead-lettered');
      // nats-server 2.9 ignores a reason after +TERM; the reason travels in the dead letter's headers.
      msg.term();
      return 'dead-lettered';
    } catch (err) {
      // Not parked yet: leave it to be redelivered rather than lose it.
      logger.error({ err }, 'could not dead-letter event; will retry');
      msg.nak(this.backoffMs[0] ?? 1_000);
      return 'retried';
    }
  }
}


function filterSubjectFor(handlers: EventHandler[]): string {
  const types = [...new Set(handlers.map((h) => h.contract.type))];
  return types.length === 1 ? types[0]! : `${handlers[0]!.contract.domain}.>`;
}
