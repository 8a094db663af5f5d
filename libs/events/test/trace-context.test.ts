import { startTestNatsServer, TestNatsServer, waitFor } from '@ficus/testkit';
import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import {
  connectNats,
  domainStreamConfig,
  ensureStream,
  EventConsumer,
  EventEnvelope,
  EventPublisher,
  on,
  userRegistered,
} from '../src';

const logger = pino({ level: 'silent' });

/** What a handler saw: the event, and the traceparent of an event it created (the next saga step's). */
interface Handled {
  event: EventEnvelope;
  nextTraceparent: string | null;
}

describe('trace context across NATS', () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  let publisher: EventPublisher;
  let durables = 0;

  beforeAll(async () => {
    server = await startTestNatsServer();
    nc = await connectNats({ url: server.url, name: 'trace-context-test', logger });
    await ensureStream(await jetstreamManager(nc), domainStreamConfig('users'));
    publisher = new EventPublisher(jetstream(nc));
  });

  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });

  /** Publishes `event` and returns what the handler of a fresh durable consumer saw. */
  const publishAndHandle = async (event: EventEnvelope): Promise<Handled> => {
    let handled: Handled | undefined;
    const consumer = new EventConsumer(nc, {
      durable: `trace-${++durables}`,
      logger,
      handlers: [
        on(userRegistered, async (received) => {
          if (received.id !== event.id) return;
          const next = userRegistered.create('next', { userId: 'next', email: 'next@example.com', name: 'Next' }, { traceparent: received.traceparent });
          handled = { event: received, nextTraceparent: next.traceparent };
        }),
      ],
    });
    await consumer.start();
    try {
      await publisher.publish(event);
      return await waitFor(() => handled ?? null, { what: 'the event to be handled' });
    } finally {
      await consumer.stop();
    }
  };

  const registered = (n: number, traceparent: string | null = null) =>
    userRegistered.create(`u-${n}`, { userId: `u-${n}`, email: `user${n}@example.com`, name: `User ${n}` }, { traceparent });

  describe('without an OpenTelemetry SDK (tracing off)', () => {
    it("carries the envelope's traceparent unchanged, as the message header and to the next event", async () => {
      const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      // A plain subscriber on the subject sees the message's headers as JetStream stored them.
      const headers: (string | undefined)[] = [];
      const watcher = nc.subscribe('users.user.registered', { callback: (_err, msg) => void headers.push(msg.headers?.get('traceparent')) });
      await nc.flush();
      const handled = await publishAndHandle(registered(1, traceparent));
      watcher.unsubscribe();
      expect(headers).toEqual([traceparent]);
      expect(handled.event.traceparent).toBe(traceparent);
      expect(handled.nextTraceparent).toBe(traceparent);
    });
  });

  describe('with an OpenTelemetry SDK registered', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

    beforeAll(() => provider.register());
    afterAll(() => provider.shutdown());

    it('publishes in a PRODUCER span under the span that created the event, and handles it in a CONSUMER span that is its child and links to it', async () => {
      const tracer = trace.getTracer('test');
      // The event is created inside a request's span, as a resolver writing the outbox row would.
      const { event, request } = tracer.startActiveSpan('request', (span) => {
        const created = registered(2);
        span.end();
        return { event: created, request: span.spanContext() };
      });
      expect(event.traceparent).toBe(`00-${request.traceId}-${request.spanId}-01`);

      const handled = await publishAndHandle(event);

      // The durable reads the stream from its start: only this event's spans count.
      const spans = exporter.getFinishedSpans().filter((s) => s.attributes['messaging.message.id'] === event.id);
      const publish = spans.find((s) => s.kind === SpanKind.PRODUCER)!;
      const process = spans.find((s) => s.kind === SpanKind.CONSUMER)!;
      expect(publish.name).toBe('publish users.user.registered');
      expect(publish.spanContext().traceId).toBe(request.traceId);
      expect(publish.parentSpanContext?.spanId).toBe(request.spanId);
      expect(publish.attributes).toMatchObject({
        'messaging.system': 'nats',
        'messaging.destination.name': 'users.user.registered',
        'messaging.operation.type': 'publish',
        'messaging.message.id': event.id,
      });
      expect(process.name).toBe('process users.user.registered');
      expect(process.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
      expect(process.links.map((l) => l.context.spanId)).toEqual([publish.spanContext().spanId]);
      expect(process.attributes).toMatchObject({ 'messaging.operation.type': 'process', 'messaging.consumer.group.name': `trace-${durables}` });
      // The next step's event continues from the handling, not from the event's own origin.
      expect(handled.nextTraceparent).toBe(`00-${request.traceId}-${process.spanContext().spanId}-01`);
    });

    it('marks a handling that fails as an error, and the retry is handled in a span of its own', async () => {
      exporter.reset();
      let attempts = 0;
      const event = registered(3);
      const consumer = new EventConsumer(nc, {
        durable: `trace-${++durables}`,
        logger,
        backoffMs: [10],
        handlers: [
          on(userRegistered, async (received) => {
            if (received.id !== event.id) return;
            attempts += 1;
            if (attempts === 1) throw new Error('inventory is busy');
          }),
        ],
      });
      await consumer.start();
      try {
        await publisher.publish(event);
        await waitFor(() => attempts === 2, { what: 'the retry' });
      } finally {
        await consumer.stop();
      }
      const processed = await waitFor(() => {
        const found = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CONSUMER && s.attributes['messaging.message.id'] === event.id);
        return found.length === 2 ? found : null;
      }, { what: 'both handlings to end' });
      expect(processed.map((s) => [s.attributes['messaging.delivery.attempt'], s.status.code])).toEqual([
        [1, 2],
        [2, 0],
      ]);
    });
  });
});
