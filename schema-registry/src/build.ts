import { makeExecutableSchema } from '@graphql-tools/schema';
import { createLogger, loadSchemaFile, Logger, Orm, PgNotifications, ServiceMetrics, startGraphQLHttpServer } from '@ficus/kit';
import { CompositionPool } from './composition/composition-pool';
import type { RegistryConfig } from './config';
import { openRegistryDatabase } from './db/open-registry-database';
import { storeBootstrapKey } from './domain/api-keys';
import { KeyedLock } from './domain/keyed-lock';
import { SupergraphWatch } from './domain/supergraph-watch';
import type { RegistryContext, RegistryDeps } from './graphql/context';
import { auditResolvers } from './graphql/audit-resolvers';
import { consoleResolvers } from './graphql/console-resolvers';
import { resolvers } from './graphql/resolvers';
import { apolloUsageRoute } from './http/apollo-usage-route';
import { callerOf } from './http/caller';
import { consoleRoute } from './http/console-route';
import { persistedQueriesRoute } from './http/persisted-queries-route';
import { supergraphRoute } from './http/supergraph-route';
import { supergraphSdlRoute } from './http/supergraph-sdl-route';
import { uplinkRoute } from './http/uplink-route';
import { usageRoute } from './http/usage-route';
import { IngestGate } from './http/ingest-gate';
import { RegistryMetrics } from './registry-metrics';
import { roverApiRoute } from './rover-api/route';
import { registryLexicalLimits, registryOperationLimits } from './http/request-limits';

export interface RegistryHandle {
  /** The GraphQL endpoint, `http://host:port/graphql`. */
  url: string;
  /** `http://host:port`, for the REST endpoints. */
  baseUrl: string;
  port: number;
  orm: Orm;
  logger: Logger;
  /** Ends long-polls, drains requests, closes the database. */
  stop(): Promise<void>;
}

/** Builds and starts the registry: database (migrated), then HTTP. `config.port` 0 picks a free port. */
export async function build(config: RegistryConfig, options: { logger?: Logger } = {}): Promise<RegistryHandle> {
  const logger = options.logger ?? createLogger('schema-registry', config.logLevel);
  const stack: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of stack.splice(0).reverse()) await close();
  };
  try {
    const orm = await openRegistryDatabase(config.database, logger, config.databaseAccess);
    stack.push(() => orm.close());
    if (config.bootstrapKey) {
      // readRegistryConfig refuses it in production; a config built by hand is held to the same rule.
      if (config.nodeEnv === 'production') throw new Error('a bootstrap key is refused when NODE_ENV=production');
      await storeBootstrapKey(orm.em.fork(), config.bootstrapKey);
      logger.warn({}, 'development bootstrap key stored (REGISTRY_BOOTSTRAP_KEY): every scope, not for production');
    }
    const metrics = new ServiceMetrics('schema-registry');
    const watch = await openSupergraphWatch(config, logger, stack);
    const registryMetrics = new RegistryMetrics(metrics);
    const composer = new CompositionPool({
      size: config.compositionWorkers,
      maxQueued: config.compositionQueueMax,
      maxHeapMb: config.compositionWorkerMaxHeapMb,
      semiSpaceMb: config.compositionWorkerSemiSpaceMb,
      taskTimeoutMs: config.compositionTimeoutMs,
      metrics: registryMetrics,
    });
    stack.push(() => composer.close());
    const deps: RegistryDeps = {
      publishLock: new KeyedLock(),
      watch,
      lockRows: config.database.kind === 'postgres',
      longPollMaxSeconds: config.longPollMaxSeconds,
      metrics: registryMetrics,
      composer,
    };
    const server = await startGraphQLHttpServer<RegistryContext>({
      schema: makeExecutableSchema({
        typeDefs: [loadSchemaFile(__dirname), loadSchemaFile(__dirname, 'console-api.graphql')],
        resolvers: [resolvers, consoleResolvers, auditResolvers],
      }),
      logger,
      host: config.host,
      port: config.port,
      reusePort: config.reusePort,
      bodyLimitBytes: config.bodyLimitBytes,
      requestBodiesMaxBytes: config.requestBodiesMaxBytes,
      lexicalLimits: registryLexicalLimits,
      operationLimits: registryOperationLimits,
      metrics,
      checks: [{ name: 'database', check: () => orm.isConnected() }],
      routes: (app) => {
        const usageGate = new IngestGate(config.usageIngestConcurrency);
        supergraphRoute(app, orm, deps);
        persistedQueriesRoute(app, orm, deps);
        usageRoute(app, orm, config.bodyLimitBytes, usageGate);
        roverApiRoute(app, { orm, deps, logger, bodyLimitBytes: config.bodyLimitBytes });
        uplinkRoute(app, { orm, logger, minDelaySeconds: config.uplinkMinDelaySeconds });
        supergraphSdlRoute(app, orm);
        apolloUsageRoute(app, orm, config.bodyLimitBytes, usageGate);
        consoleRoute(app);
      },
      context: async (req, abandoned) => {
        const em = orm.em.fork();
        return { em, caller: await callerOf(req, em), logger: req.log, requestId: req.requestId, deps, abandoned };
      },
    });
    stack.push(() => server.stop());
    // Pushed last so it runs first: waiting long-polls answer at once instead of holding up the drain.
    stack.push(async () => deps.watch.close());
    const baseUrl = `http://${config.host}:${server.port}`;
    logger.info({ url: server.url }, 'schema registry ready');

    let stopping: Promise<void> | null = null;
    return {
      url: server.url,
      baseUrl,
      port: server.port,
      orm,
      logger,
      stop() {
        stopping ??= (async () => {
          logger.info({}, 'shutting down: ending long-polls, draining requests');
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

/**
 * On PostgreSQL several registry processes may serve one database: every one LISTENs, and a
 * publish on any of them NOTIFYs, so each wakes its own waiting long-polls at once. The
 * database re-read then only covers a missed notification. On SQLite there is one process.
 */
async function openSupergraphWatch(config: RegistryConfig, logger: Logger, stack: (() => Promise<unknown>)[]): Promise<SupergraphWatch> {
  if (config.database.kind !== 'postgres') return new SupergraphWatch();
  const watch = new SupergraphWatch(15_000);
  const channel = await PgNotifications.listen({
    url: config.database.url,
    channel: 'ficus_registry_publishes',
    onMessage: (graphRef) => watch.wakeFromElsewhere(graphRef),
    onReconnected: () => watch.wakeAll(),
    logger: logger.child({ component: 'publish-notifications' }),
  });
  stack.push(() => channel.close());
  watch.broadcastTo((graphRef) => void channel.notify(graphRef));
  return watch;
}
