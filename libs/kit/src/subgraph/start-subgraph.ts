import { randomUUID } from 'node:crypto';
import { EntityManager, EntitySchema, MigrationObject, MikroORM } from '@mikro-orm/core';
import {
  connectNats,
  domainStreamConfig,
  ensureStream,
  EventConsumer,
  EventEnvelope,
  EventHandler,
  EventOrigin,
  EventPublisher,
  isNatsConnected,
  streamNameFor,
} from '@ficus/events';
import type { Express } from 'express';
import type { DocumentNode } from 'graphql';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { SubgraphConfig } from '../config/subgraph-config';
import { defaultNatsAccess } from '../config/nats-access';
import { openDatabase } from '../db/open-database';
import { QueryLog } from '../db/query-log';
import { clientAddressFromHeaders, Identity, identityFromHeaders } from '../identity';
import { maxPageSize } from '../pagination';
import { RequestSignature } from '../request-signature';
import { createLogger } from '../logger';
import { CommitListener } from '../outbox/commit-listener';
import { OutboxRelay } from '../outbox/outbox-relay';
import { traceIdOfTraceparent } from '../http/trace-id';
import { registerConsumerLag } from '../metrics/consumer-lag';
import { registerOutboxMetrics } from '../metrics/outbox-metrics';
import { ServiceMetrics } from '../metrics/service-metrics';
import { OutboxEvent } from '../outbox/outbox-event';
import { DomainEventFeeds } from '../subscriptions/domain-event-feeds';
import { OpenStreams } from '../subscriptions/open-streams';
import { startGraphQLHttpServer } from './graphql-http-server';
import type { InProcessHandler } from './in-process-handler';

/** What every resolver receives. A subgraph adds its own per-request things (DataLoaders). */
export interface BaseContext {
  /** A fresh unit of work for this request only. */
  em: EntityManager;
  identity: Identity | null;
  /**
   * The client's IP address as the gateway saw it (`x-ficus-client-ip`), for this service's own
   * limits (sign-in throttling). Null when the gateway sent none (an unsigned SDL read included).
   */
  clientAddress: string | null;
  requestId: string;
  logger: Logger;
  /** Carried into the events this request causes. */
  origin: EventOrigin;
}

export interface ServiceDependencies {
  config: SubgraphConfig;
  orm: MikroORM;
  logger: Logger;
  nats: NatsConnection;
  /** The live domain events subscriptions follow, one NATS subscription per subject for the whole service. */
  feeds: DomainEventFeeds;
  /** The service's Prometheus registry and series, for the metrics of its own domain. */
  metrics: ServiceMetrics;
}

export interface SubgraphDefinition<TContext extends BaseContext> {
  typeDefs: DocumentNode;
  /** The subgraph's resolvers, typed by its generated resolver types. */
  resolvers: object;
  entities: EntitySchema<any, any>[];
  migrations: MigrationObject[];
  /** Whether this service publishes events (and so owns the stream of its domain). */
  publishesEvents: boolean;
  /** The events this service consumes, each made idempotent with `handleOnce`. */
  eventHandlers?: (deps: ServiceDependencies) => EventHandler[];
  /** Adds per-request things (DataLoaders, use-case wiring) to the context. */
  context: (base: BaseContext, deps: ServiceDependencies) => TContext;
  /** Extra HTTP routes, mounted before `/graphql`. */
  routes?: (app: Express, deps: ServiceDependencies) => void;
  /** Runs once the database is migrated, before any traffic is accepted (seeding a development admin). */
  prepare?: (deps: ServiceDependencies) => Promise<void>;
  /** WebSocket keep-alive ping interval for subscriptions (default 12 s; tests shorten it). */
  subscriptionKeepAliveMs?: number;
  /** Fields (`Type.field`) whose `first` may go beyond the usual 100, or must stay below it. */
  pageSizes?: Readonly<Record<string, number>>;
  /** Told of the events each committed transaction recorded (a saga's end, for its metrics). */
  committed?: (events: readonly EventEnvelope[], deps: ServiceDependencies) => void;
  /** Tuning for the event consumer (tests shorten the backoff). */
  consumer?: { maxDeliver?: number; backoffMs?: number[] };
}

export interface SubgraphHandle {
  url: string;
  port: number;
  /** `url`'s `/graphql` for a gateway in the same process (the modular monolith): the same checks and context, without a socket. */
  inProcess: InProcessHandler;
  orm: MikroORM;
  nats: NatsConnection;
  feeds: DomainEventFeeds;
  logger: Logger;
  queryLog: QueryLog;
  relay: OutboxRelay;
  metrics: ServiceMetrics;
  /** Stops accepting, drains requests and consumers, flushes the outbox, closes NATS and the database. */
  stop(): Promise<void>;
}

/**
 * Builds and starts a subgraph: database (migrated), NATS stream, outbox relay, event
 * consumers, then the HTTP server. `config.port` 0 picks a free port (tests). A start
 * that fails half-way closes what it had opened.
 */
export async function startSubgraph<TContext extends BaseContext>(
  config: SubgraphConfig,
  definition: SubgraphDefinition<TContext>,
  options: { logger?: Logger } = {},
): Promise<SubgraphHandle> {
  const logger = options.logger ?? createLogger(config.serviceName, config.logLevel);
  const queryLog = new QueryLog();
  const commits = new CommitListener();
  const metrics = new ServiceMetrics(config.serviceName);
  const stack: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of stack.splice(0).reverse()) await close();
  };

  try {
    const orm = await openDatabase({
      target: config.database,
      entities: definition.entities,
      migrations: definition.migrations,
      access: config.databaseAccess,
      logger,
      queryLog,
      subscribers: [commits],
    });
    stack.push(() => orm.close());

    const natsAccess = config.natsAccess ?? defaultNatsAccess;
    const nats = await connectNats({ url: config.natsUrl, access: natsAccess, name: config.serviceName, logger });
    const streamOptions = { replicas: natsAccess.streamReplicas, logger };
    stack.push(() => nats.drain().catch((err) => logger.warn({ err }, 'nats drain failed')));
    if (definition.publishesEvents) {
      await ensureStream(await jetstreamManager(nats), domainStreamConfig(config.serviceName), streamOptions);
    }
    const feeds = new DomainEventFeeds(nats);
    // Closed after the streams have ended (the server stops first) and before NATS drains.
    stack.push(async () => feeds.close());
    metrics.gaugeFrom('ficus_event_feed_subscriptions', 'NATS subscriptions the subscription streams share.', async () =>
      feeds.subscriptionCount,
    );
    const deps: ServiceDependencies = { config, orm, logger, nats, feeds, metrics };
    await definition.prepare?.(deps);

    const relay = new OutboxRelay(orm, new EventPublisher(jetstream(nats)), logger.child({ component: 'outbox-relay' }), {
      lockRows: config.database.kind === 'postgres',
      metrics,
    });
    metrics.gaugeFrom('ficus_outbox_pending', 'Outbox events not yet published.', () =>
      orm.em.fork().count(OutboxEvent, { publishedAt: null }),
    );
    registerOutboxMetrics(metrics, orm);
    commits.onCommit((committed) => {
      relay.nudge();
      feeds.deliverCommitted(committed);
      definition.committed?.(committed, deps);
    });
    relay.start();
    stack.push(() => relay.stop());

    const handlers = definition.eventHandlers?.(deps) ?? [];
    if (handlers.length > 0) {
      const consumer = new EventConsumer(nats, {
        durable: config.serviceName,
        handlers,
        logger: logger.child({ component: 'event-consumer' }),
        observer: metrics.deliveryObserver(),
        streamReplicas: natsAccess.streamReplicas,
        ...definition.consumer,
      });
      await consumer.start();
      stack.push(() => consumer.stop());
    }
    // Registered without a consumer too (and then empty), so every subgraph exports the same series.
    registerConsumerLag(metrics, nats, config.serviceName, [...new Set(handlers.map((handler) => streamNameFor(handler.contract.domain)))]);

    const streams = new OpenStreams();
    metrics.gaugeFrom('ficus_subscriptions_open', 'Subscription streams being served.', async () => streams.size);
    // With a secret, the server lets through only what the gateway signed, x-ficus-* headers
    // included, so the identity and address read from them below are the gateway's.
    const gatewaySignature = config.identitySigningSecret ? new RequestSignature(config.identitySigningSecret) : null;
    const server = await startGraphQLHttpServer<TContext>({
      typeDefs: definition.typeDefs,
      resolvers: definition.resolvers,
      logger,
      host: config.host,
      port: config.port,
      reusePort: config.reusePort,
      bodyLimitBytes: config.bodyLimitBytes,
      requestBodiesMaxBytes: config.requestBodiesMaxBytes,
      gatewaySignature,
      operationLimits: { ...config.limits, maxPageSize, pageSizes: definition.pageSizes },
      metrics,
      checks: [
        { name: 'database', check: () => orm.isConnected() },
        // Writes stay safe in the outbox while NATS is away: degraded, not unready.
        { name: 'nats', check: () => isNatsConnected(nats), required: false },
      ],
      routes: definition.routes ? (app) => definition.routes!(app, deps) : undefined,
      context: (req) =>
        definition.context(
          {
            em: orm.em.fork(),
            identity: identityFromHeaders(req.headers),
            clientAddress: clientAddressFromHeaders(req.headers),
            requestId: req.requestId,
            logger: req.log,
            origin: { correlationId: req.requestId, traceparent: req.header('traceparent') ?? null },
          },
          deps,
        ),
      subscriptions: {
        streams,
        keepAliveMs: definition.subscriptionKeepAliveMs ?? 12_000,
        // The gateway forwards the verified identity as headers, per subscription or in `connection_init`.
        context: (connectionParams) => {
          const headers = (connectionParams.headers ?? {}) as Record<string, string>;
          const requestId = typeof headers['x-request-id'] === 'string' ? headers['x-request-id'] : randomUUID();
          return definition.context(
            {
              em: orm.em.fork(),
              identity: identityFromHeaders(headers),
              clientAddress: clientAddressFromHeaders(headers),
              requestId,
              logger: logger.child({ requestId, transport: 'graphql-ws', traceId: traceIdOfTraceparent(headers.traceparent) ?? undefined }),
              origin: { correlationId: requestId, traceparent: headers.traceparent ?? null },
            },
            deps,
          );
        },
      },
    });
    stack.push(() => server.stop());
    logger.info({ url: server.url }, `${config.serviceName} subgraph ready`);

    let stopping: Promise<void> | null = null;
    return {
      url: server.url,
      port: server.port,
      inProcess: server.inProcess,
      orm,
      nats,
      feeds,
      logger,
      queryLog,
      relay,
      metrics,
      stop() {
        stopping ??= (async () => {
          logger.info({}, 'shutting down: draining requests and consumers, flushing the outbox');
          await closeAll();
          logger.info({}, 'stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await closeAll().catch(() => undefined);
    throw err;
  }
}
