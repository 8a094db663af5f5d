import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { EntityManager, EntitySchema, MigrationObject, MikroORM } from '@mikro-orm/core';
import {
  connectNats,
  domainStreamConfig,
  ensureStream,
  EventConsumer,
  EventHandler,
  EventOrigin,
  EventPublisher,
  isNatsConnected,
} from '@ficus/events';
import express, { Express } from 'express';
import type { DocumentNode } from 'graphql';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { SubgraphConfig } from '../config/subgraph-config';
import { openDatabase } from '../db/open-database';
import { QueryLog } from '../db/query-log';
import { bodyErrorHandler, healthRoutes, jsonBody, requestIdMiddleware } from '../http/http-app';
import { formatErrorFor } from '../http/format-error';
import { requestLogPlugin } from '../http/request-log-plugin';
import { Identity, identityFromHeaders } from '../identity';
import { createLogger } from '../logger';
import { CommitListener } from '../outbox/commit-listener';
import { OutboxRelay } from '../outbox/outbox-relay';

/** What every resolver receives. A subgraph adds its own per-request things (DataLoaders). */
export interface BaseContext {
  /** A fresh unit of work for this request only. */
  em: EntityManager;
  identity: Identity | null;
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
  /** Tuning for the event consumer (tests shorten the backoff). */
  consumer?: { maxDeliver?: number; backoffMs?: number[] };
}

export interface SubgraphHandle {
  url: string;
  port: number;
  orm: MikroORM;
  nats: NatsConnection;
  logger: Logger;
  queryLog: QueryLog;
  relay: OutboxRelay;
  /** Stops accepting, drains requests and consumers, flushes the outbox, closes NATS and the database. */
  stop(): Promise<void>;
}

/**
 * Builds and starts a subgraph: database (migrated), NATS stream, outbox relay, event
 * consumers, then the HTTP server. `config.port` 0 picks a free port (tests).
 */
export async function startSubgraph<TContext extends BaseContext>(
  config: SubgraphConfig,
  definition: SubgraphDefinition<TContext>,
  options: { logger?: Logger } = {},
): Promise<SubgraphHandle> {
  const logger = options.logger ?? createLogger(config.serviceName, config.logLevel);
  const queryLog = new QueryLog();
  const commits = new CommitListener();
  const orm = await openDatabase({
    target: config.database,
    entities: definition.entities,
    migrations: definition.migrations,
    logger,
    queryLog,
    subscribers: [commits],
  });

  const nats = await connectNats({ url: config.natsUrl, name: config.serviceName, logger });
  if (definition.publishesEvents) {
    await ensureStream(await nats.jetstreamManager(), domainStreamConfig(config.serviceName));
  }
  const relay = new OutboxRelay(orm, new EventPublisher(nats.jetstream()), logger.child({ component: 'outbox-relay' }), {
    lockRows: config.database.kind === 'postgres',
  });
  commits.onCommit(() => relay.nudge());
  relay.start();

  const deps: ServiceDependencies = { config, orm, logger, nats };
  const handlers = definition.eventHandlers?.(deps) ?? [];
  const consumer =
    handlers.length > 0
      ? new EventConsumer(nats, {
          durable: config.serviceName,
          handlers,
          logger: logger.child({ component: 'event-consumer' }),
          ...definition.consumer,
        })
      : null;
  await consumer?.start();

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let draining = false;
  const apollo = new ApolloServer<TContext>({
    schema: buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> }]),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), requestLogPlugin<TContext>()],
    formatError: formatErrorFor(logger),
    includeStacktraceInErrorResponses: false,
  });
  await apollo.start();

  app.use(requestIdMiddleware(logger));
  healthRoutes(
    app,
    [
      { name: 'database', check: () => orm.isConnected() },
      { name: 'nats', check: () => isNatsConnected(nats) },
    ],
    () => draining,
  );
  definition.routes?.(app, deps);
  app.use(
    '/graphql',
    jsonBody(config.bodyLimitBytes),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        definition.context(
          {
            em: orm.em.fork(),
            identity: identityFromHeaders(req.headers),
            requestId: req.requestId,
            logger: req.log,
            origin: { correlationId: req.requestId, traceparent: req.header('traceparent') ?? null },
          },
          deps,
        ),
    }),
  );
  app.use(bodyErrorHandler);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host}:${port}/graphql`;
  logger.info({ url }, `${config.serviceName} subgraph ready`);

  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    orm,
    nats,
    logger,
    queryLog,
    relay,
    stop() {
      stopping ??= (async () => {
        draining = true;
        logger.info({}, 'shutting down: draining requests and consumers');
        await apollo.stop();
        await consumer?.stop();
        await relay.stop();
        await nats.drain().catch((err) => logger.warn({ err }, 'nats drain failed'));
        await orm.close();
        logger.info({}, 'stopped');
      })();
      return stopping;
    },
  };
}
