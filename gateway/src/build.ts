import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import {
  bodyErrorHandler,
  createLogger,
  healthRoutes,
  identityToHeaders,
  IdentitySignature,
  jsonBody,
  requestIdMiddleware,
  ServiceMetrics,
} from '@ficus/kit';
import express, { RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import { Counter, Gauge } from 'prom-client';
import { authenticate } from './auth/authenticate';
import { createTokenVerifier } from './auth/token-verifier';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './execution/gateway-context';
import { createSubscriptionExecutor } from './execution/subscription-executor';
import type { IdentityHeaders } from './execution/subgraph-data-source';
import { createSupergraphExecutor } from './execution/supergraph-executor';
import { allowedOrigins, corsFor } from './http/cors';
import { httpSubscriptions } from './http/http-subscriptions';
import { landingPageFor } from './http/landing-page';
import { SubscriptionDocuments } from './http/subscription-operation';
import { traceparentOf } from './http/trace-context';
import { startWebSocketServer } from './http/websocket-server';
import { openSupergraph } from './supergraph/supergraph-source';
import { UsageReporter } from './usage/usage-reporter';
import { usageReportingPlugin } from './usage/usage-reporting-plugin';

export interface GatewayHandle {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then stops the gateway. */
  stop(): Promise<void>;
}

/**
 * Builds and starts the gateway. `config.port` 0 picks a free port (tests). It listens as soon
 * as it can; `/ready` is 503 and `/graphql` answers 503 until a supergraph is loaded, which is
 * at once unless the registry is the source and neither it nor the disk cache has one.
 */
export async function build(config: GatewayConfig): Promise<GatewayHandle> {
  const logger = createLogger('gateway', config.logLevel);
  const metrics = new ServiceMetrics('gateway');
  const served = new Gauge({
    name: 'ficus_gateway_supergraph_info',
    help: 'The supergraph served (1), by id: the sha256 of its SDL.',
    labelNames: ['id'],
    registers: [metrics.registry],
  });
  const usageBatches = new Counter({
    name: 'ficus_gateway_usage_operations_total',
    help: 'Operations in usage batches sent to the registry, by outcome: sent, retried, dropped.',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  const subscriptionEvents = new Counter({
    name: 'ficus_gateway_subscription_events_total',
    help: 'Events from subgraphs for client subscriptions, by completion: ran the rest of the plan, or shared a run in flight for the same event, operation and identity.',
    labelNames: ['completion'],
    registers: [metrics.registry],
  });

  const supergraph = await openSupergraph(config.supergraph, logger);
  const verifyToken = await createTokenVerifier({
    keys: config.tokenKeys,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
  const signature = config.identitySigningSecret ? new IdentitySignature(config.identitySigningSecret) : null;
  const identityHeaders: IdentityHeaders = (identity) => (signature ? signature.headersFor(identity) : identityToHeaders(identity));
  const executor = createSupergraphExecutor({
    identityHeaders,
    supergraph: supergraph.gatewayInput,
    subgraphTimeoutMs: config.subgraphTimeoutMs,
    logger: logger.child({ component: 'apollo-gateway' }),
    onLoaded(id, replacesAnother) {
      served.reset();
      served.set({ id }, 1);
      logger.info({ supergraphId: id, source: config.supergraph.kind }, 'serving supergraph');
      // Open subscriptions were planned on the old supergraph, whose fields or owners may be gone.
      if (replacesAnother) {
        void subscriptions.endAll(
          new GraphQLError('the supergraph changed: subscribe again', { extensions: { code: 'SUPERGRAPH_RELOADED' } }),
        );
      }
    },
  });
  const subscriptions = createSubscriptionExecutor({
    served: () => executor.servedForSubscriptions(),
    keepAliveMs: config.subscriptions.keepAliveMs,
    identityHeaders,
    onEvent: (completion) => subscriptionEvents.inc({ completion }),
  });
  metrics.gaugeFrom('ficus_gateway_subscriptions_open', 'Client subscriptions being served.', async () => subscriptions.openCount);
  metrics.gaugeFrom('ficus_gateway_subgraph_sockets_open', 'graphql-ws sockets to subgraphs, each shared by the subscriptions to one subgraph.', async () => subscriptions.upstreamSocketCount);
  const usage = config.usageReporting
    ? new UsageReporter({
        ...config.usageReporting,
        logger: logger.child({ component: 'usage-reporting' }),
        onSend: (outcome, operations) => usageBatches.inc({ outcome }, operations),
      })
    : null;

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let draining = false;
  const apollo = new ApolloServer<GatewayContext>({
    gateway: executor.gateway,
    nodeEnv: config.nodeEnv,
    logger,
    csrfPrevention: true,
    introspection: config.nodeEnv !== 'production',
    // runService owns SIGINT and SIGTERM; two handlers would race to stop the server.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      landingPageFor(config.nodeEnv),
      ...(usage ? [usageReportingPlugin(usage)] : []),
    ],
  });

  const apiSchema = () => executor.servedForSubscriptions()?.planner.apiGraphQLSchema ?? null;
  const documents = new SubscriptionDocuments();
  const origins = allowedOrigins(config.corsOrigins);
  const subscriptionStreams = httpSubscriptions({
    executor: subscriptions,
    apiSchema,
    documents,
    heartbeatMs: config.subscriptions.httpHeartbeatMs,
    maxPerClient: config.subscriptions.maxPerClient,
    logger: logger.child({ component: 'subscriptions' }),
  });
  // Set once Apollo Server has started, i.e. once a supergraph is loaded.
  let graphqlHandler: RequestHandler | null = null;
  app.use(requestIdMiddleware(logger));
  healthRoutes(app, [{ name: 'supergraph', check: () => executor.isLoaded() }], () => draining);
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(
    '/graphql',
    corsFor(origins),
    jsonBody(config.bodyLimitBytes),
    authenticate(verifyToken),
    // Subscriptions over SSE and multipart HTTP; Apollo Server would refuse them.
    subscriptionStreams.handler,
    (req, res, next) => {
      if (graphqlHandler) {
        graphqlHandler(req, res, next);
        return;
      }
      res.status(503).json({
        errors: [{ message: 'no supergraph is loaded yet: the schema registry has not served one', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
      });
    },
  );
  app.use(bodyErrorHandler);
  const webSockets = startWebSocketServer({
    httpServer,
    path: '/graphql',
    verifyToken,
    executor: subscriptions,
    apiSchema,
    documents,
    keepAliveMs: config.subscriptions.keepAliveMs,
    maxPerConnection: config.subscriptions.maxPerConnection,
    maxConnectionsPerClient: config.subscriptions.maxConnectionsPerClient,
    allowsOrigin: (origin) => origins.has(origin),
    logger: logger.child({ component: 'subscriptions' }),
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const closeHttpServer = () =>
    new Promise<void>((resolve) => {
      httpServer.closeAllConnections();
      httpServer.close(() => resolve());
    });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host}:${port}/graphql`;

  const started = apollo.start().then(() => {
    graphqlHandler = expressMiddleware(apollo, {
      context: async ({ req }): Promise<GatewayContext> => ({
        requestId: req.requestId,
        traceparent: traceparentOf(req.header('traceparent')),
        identity: req.identity,
        clientAddress: req.ip ?? req.socket.remoteAddress ?? 'unknown',
        logger: req.log,
      }),
    });
    usage?.start();
  });
  if (supergraph.availableAtStart) {
    await started.catch(async (err) => {
      await closeHttpServer();
      throw err;
    });
    logger.info({ url, supergraph: config.supergraph }, 'gateway ready');
  } else {
    started.then(
      () => logger.info({ url }, 'gateway ready: the first supergraph arrived'),
      (err) => {
        if (!draining) logger.error({ err }, 'the gateway failed to load its first supergraph');
      },
    );
    logger.warn({ url }, 'gateway listening, not ready: waiting for a supergraph from the registry');
  }

  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    stop() {
      stopping ??= (async () => {
        draining = true;
        logger.info({}, 'shutting down: draining requests');
        if (!graphqlHandler) await supergraph.abandon();
        // Open HTTP streams would hold the drain below until its grace ends: end them first.
        await subscriptionStreams.stop();
        // Upgraded sockets would hold the HTTP server's close: complete the streams and close them first.
        await webSockets.stop();
        await subscriptions.stop();
        // Once started, Apollo Server drains the HTTP server first, then stops the gateway
        // (which stops following the registry); it never started if no supergraph came.
        await started.then(
          () => apollo.stop(),
          () => closeHttpServer(),
        );
        // After the drain: every request served is counted, so this last batch is complete.
        await usage?.stop();
        logger.info({}, 'stopped');
      })();
      return stopping;
    },
  };
}
