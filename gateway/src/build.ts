import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import { bodyErrorHandler, createLogger, healthRoutes, jsonBody, RequestSignature, requestIdMiddleware, ServiceMetrics } from '@ficus/kit';
import express, { RequestHandler } from 'express';
import { authenticate } from './auth/authenticate';
import { createTokenVerifier } from './auth/token-verifier';
import type { GatewayConfig } from './config';
import { gatewayError, refusal, refusalBody } from './errors';
import type { GatewayContext } from './execution/gateway-context';
import { registerSubgraphResilienceMetrics } from './execution/resilience/resilience-metrics';
import { SubgraphResilience } from './execution/resilience/subgraph-resilience';
import { createSubscriptionExecutor } from './execution/subscription-executor';
import { createSupergraphExecutor } from './execution/supergraph-executor';
import { gatewayMetrics } from './gateway-metrics';
import { actualCostPlugin } from './http/actual-cost-plugin';
import { admitHttpOperation } from './http/admit-http';
import { createApolloServer } from './http/apollo-server';
import { clientAddressMiddleware } from './http/client-address';
import { allowedOrigins, corsFor } from './http/cors';
import { httpSubscriptions } from './http/http-subscriptions';
import { traceparentOf } from './http/trace-context';
import { startWebSocketServer } from './http/websocket-server';
import { createRequestPipeline } from './pipeline/request-pipeline';
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
  const serviceMetrics = new ServiceMetrics('gateway');
  const metrics = gatewayMetrics(serviceMetrics);

  const supergraph = await openSupergraph(config.supergraph, logger);
  const verifyToken = await createTokenVerifier({
    keys: config.tokenKeys,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
  const signer = config.identitySigningSecret ? new RequestSignature(config.identitySigningSecret) : null;
  const resilience = new SubgraphResilience(config.subgraphResilience, logger.child({ component: 'subgraph-resilience' }));
  registerSubgraphResilienceMetrics(serviceMetrics.registry, resilience);
  const executor = createSupergraphExecutor({
    signer,
    resilience,
    supergraph: supergraph.gatewayInput,
    subgraphTimeoutMs: config.subgraphTimeoutMs,
    logger: logger.child({ component: 'apollo-gateway' }),
    onLoaded(id, replacesAnother) {
      metrics.served.reset();
      metrics.served.set({ id }, 1);
      logger.info({ supergraphId: id, source: config.supergraph.kind }, 'serving supergraph');
      // Open subscriptions were planned on the old supergraph, whose fields or owners may be gone.
      if (replacesAnother) void subscriptions.endAll(gatewayError('SUPERGRAPH_RELOADED', 'the supergraph changed: subscribe again'));
    },
  });
  const subscriptions = createSubscriptionExecutor({
    served: () => executor.servedForSubscriptions(),
    keepAliveMs: config.subscriptions.keepAliveMs,
    signer,
    onEvent: (completion) => metrics.subscriptionEvents.inc({ completion }),
  });
  serviceMetrics.gaugeFrom('ficus_gateway_subscriptions_open', 'Client subscriptions being served.', async () => subscriptions.openCount);
  serviceMetrics.gaugeFrom('ficus_gateway_subgraph_sockets_open', 'graphql-ws sockets to subgraphs, each shared by the subscriptions to one subgraph.', async () => subscriptions.upstreamSocketCount);
  const pipeline = await createRequestPipeline(config, {
    planner: () => executor.servedForSubscriptions()?.planner ?? null,
    metrics,
    logger,
  });
  const usage = config.usageReporting
    ? new UsageReporter({
        ...config.usageReporting,
        logger: logger.child({ component: 'usage-reporting' }),
        onSend: (outcome, operations) => metrics.usageBatches.inc({ outcome }, operations),
      })
    : null;

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  let draining = false;
  const apollo = createApolloServer({
    config,
    executor,
    httpServer,
    logger,
    plugins: [
      actualCostPlugin({
        record(estimated, actual) {
          metrics.cost.observe({ kind: 'estimated' }, estimated);
          metrics.cost.observe({ kind: 'actual' }, actual);
        },
        inResponse: config.nodeEnv !== 'production',
      }),
      ...(usage ? [usageReportingPlugin(usage)] : []),
    ],
  });

  const origins = allowedOrigins(config.corsOrigins);
  const subscriptionStreams = httpSubscriptions({
    executor: subscriptions,
    heartbeatMs: config.subscriptions.httpHeartbeatMs,
    maxPerClient: config.subscriptions.maxPerClient,
    logger: logger.child({ component: 'subscriptions' }),
  });
  // Set once Apollo Server has started, i.e. once a supergraph is loaded.
  let graphqlHandler: RequestHandler | null = null;
  app.use(requestIdMiddleware(logger));
  healthRoutes(app, [{ name: 'supergraph', check: () => executor.isLoaded() }], () => draining);
  app.get('/metrics', async (_req, res) => {
    res.type(serviceMetrics.registry.contentType).send(await serviceMetrics.registry.metrics());
  });
  app.use(
    '/graphql',
    corsFor(origins),
    jsonBody(config.bodyLimitBytes),
    clientAddressMiddleware(pipeline.clientAddressOf),
    authenticate(verifyToken),
    admitHttpOperation(pipeline.admit),
    // Subscriptions over SSE and multipart HTTP; Apollo Server would refuse them.
    subscriptionStreams.handler,
    (req, res, next) => {
      if (graphqlHandler) {
        graphqlHandler(req, res, next);
        return;
      }
      res.status(503).json(refusalBody(refusal('SERVICE_UNAVAILABLE', 'no supergraph is loaded yet: the schema registry has not served one')));
    },
  );
  app.use(bodyErrorHandler);
  const webSockets = startWebSocketServer({
    httpServer,
    path: '/graphql',
    verifyToken,
    executor: subscriptions,
    admit: pipeline.admit,
    clientAddressOf: pipeline.clientAddressOf,
    keepAliveMs: config.subscriptions.keepAliveMs,
    maxPerConnection: config.subscriptions.maxPerConnection,
    maxConnectionsPerClient: config.subscriptions.maxConnectionsPerClient,
    allowsOrigin: (origin) => origins.has(origin),
    logger: logger.child({ component: 'subscriptions' }),
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  }).catch(async (err) => {
    await pipeline.stop();
    throw err;
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
        clientAddress: req.clientAddress,
        logger: req.log,
        admitted: req.admitted,
      }),
    });
    usage?.start();
  });
  if (supergraph.availableAtStart) {
    await started.catch(async (err) => {
      await closeHttpServer();
      await pipeline.stop();
      throw err;
    });
    logger.info({ url, supergraph: config.supergraph.kind === 'registry' ? { kind: 'registry', graphRef: config.supergraph.registry.graphRef } : config.supergraph }, 'gateway ready');
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
        await pipeline.stop();
        logger.info({}, 'stopped');
      })();
      return stopping;
    },
  };
}
