import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerClientErrors, closeSilentConnections, createLogger, HealthCheck, receiveTimeouts, RequestSignature, ServiceMetrics } from '@ficus/kit/service';
import type { PolicyHook } from './authorization';
import { authenticate } from './auth/authenticate';
import { createTokenVerifier } from './auth/token-verifier';
import type { GatewayConfig } from './config';
import { createEngine } from './engine/create-engine';
import type { InProcessSubgraphs } from './engine/ficus/execute/in-process-transport';
import { ServedSupergraph } from './engine/served-supergraph';
import { gatewayError } from './errors';
import { registerSubgraphResilienceMetrics } from './execution/resilience/resilience-metrics';
import { SubgraphResilience } from './execution/resilience/subgraph-resilience';
import { createSubscriptionExecutor } from './execution/subscription-executor';
import { gatewayMetrics } from './gateway-metrics';
import { admitHttpOperation, startClock } from './http/admit-http';
import { allowedMethods } from './http/allowed-methods';
import { clientAddressMiddleware } from './http/client-address';
import { allowedOrigins, corsFor } from './http/cors';
import { csrfPrevention } from './http/csrf-prevention';
import { drainHttpServer } from './http/drain-http-server';
import { GatewayRequest } from './http/gateway-request';
import { gatewayRoutes } from './http/gateway-routes';
import { httpSubscriptions } from './http/http-subscriptions';
import { jsonBody } from './http/json-body';
import { landingPage } from './http/landing-page';
import { middlewareChain } from './http/middleware-chain';
import { serveOperation } from './http/serve-operation';
import { webSocketsOnFirstUpgrade } from './http/websocket-upgrades';
import { authorizationStage } from './pipeline/authorization-stage';
import { operationReport } from './observability/operation-report';
import { createOperationRunner } from './pipeline/operation-runner';
import { createRequestPipeline } from './pipeline/request-pipeline';
import { openSupergraph } from './supergraph/supergraph-source';
import { UsageReporter } from './usage/usage-reporter';

export interface GatewayHandle {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then stops the gateway. */
  stop(): Promise<void>;
}

/** What a program embedding the gateway may add to its environment-read config. */
export interface GatewayHooks {
  /** Decides which @policy policies a caller satisfies; without it every policy is denied. */
  policies?: PolicyHook;
  /** Subgraphs this process serves too (the modular monolith), by the routing URL the supergraph gives them: called in process, without an HTTP hop. */
  inProcessSubgraphs?: InProcessSubgraphs;
  /** More checks for `/ready` (the monolith's modules, whose loss makes the process unready too). */
  readinessChecks?: HealthCheck[];
}

/** How long in-flight requests may take to finish at shutdown. */
const drainGraceMs = 10_000;

/**
 * Builds and starts the gateway. `config.port` 0 picks a free port (tests). It listens as soon
 * as it can; `/ready` is 503 and `/graphql` answers 503 until a supergraph is loaded, which is
 * at once unless the registry is the source and neither it nor the disk cache has one.
 */
export async function build(config: GatewayConfig, hooks: GatewayHooks = {}): Promise<GatewayHandle> {
  const logger = createLogger('gateway', config.logLevel);
  const serviceMetrics = new ServiceMetrics('gateway');
  const metrics = gatewayMetrics(serviceMetrics);

  const verifyToken = await createTokenVerifier({ keys: config.tokenKeys, issuer: config.jwtIssuer, audience: config.jwtAudience });
  const signer = config.identitySigningSecret ? new RequestSignature(config.identitySigningSecret) : null;
  const resilience = new SubgraphResilience(config.subgraphResilience, logger.child({ component: 'subgraph-resilience' }));
  registerSubgraphResilienceMetrics(serviceMetrics.registry, resilience);
  const engine = createEngine(config.engine, {
    signer,
    resilience,
    subgraphTimeoutMs: config.subgraphTimeoutMs,
    logger: logger.child({ component: 'engine' }),
    onOverrides: (inForce, notInForce, context) => {
      metrics.countOverrides(inForce, notInForce);
      metrics.overrideOutcomes.remember(context.admitted, inForce, notInForce);
    },
    onDeduplicated: (subgraph) => metrics.deduplicated.inc({ subgraph }),
    observeFetches: metrics.subgraphFetches,
    inProcess: hooks.inProcessSubgraphs,
  });
  const served = new ServedSupergraph(engine, logger, (loaded, replacesAnother) => {
    metrics.served.reset();
    metrics.served.set({ id: loaded.id }, 1);
    // Open subscriptions were planned on the old supergraph, whose fields or owners may be gone.
    if (replacesAnother) void subscriptions.endAll(gatewayError('SUPERGRAPH_RELOADED', 'the supergraph changed: subscribe again'));
  });
  const source = await openSupergraph(config.supergraph, logger, (sdl) => served.load(sdl));
  const usage = config.usageReporting
    ? new UsageReporter({
        ...config.usageReporting,
        logger: logger.child({ component: 'usage-reporting' }),
        onSend: (outcome, operations) => metrics.usageBatches.inc({ outcome }, operations),
      })
    : null;
  const runner = createOperationRunner({
    authorize: authorizationStage(hooks.policies ?? null),
    usage,
    onCost(estimated, actual) {
      metrics.cost.observe({ kind: 'estimated' }, estimated);
      metrics.cost.observe({ kind: 'actual' }, actual);
    },
    costInResponse: config.nodeEnv !== 'production',
  });
  const subscriptions = createSubscriptionExecutor({
    plan: runner.planSubscription,
    keepAliveMs: config.subscriptions.keepAliveMs,
    queueCapacity: config.subscriptions.queueCapacity,
    signer,
    onEvent: (completion) => metrics.subscriptionEvents.inc({ completion }),
  });
  serviceMetrics.gaugeFrom('ficus_gateway_subscriptions_open', 'Client subscriptions being served.', async () => subscriptions.openCount);
  serviceMetrics.gaugeFrom('graphql_gateway_active_subscriptions', 'Client subscriptions being served (SSE, multipart and graphql-ws).', async () => subscriptions.openCount);
  serviceMetrics.gaugeFrom('ficus_gateway_subgraph_sockets_open', 'graphql-ws sockets to subgraphs, each shared by the subscriptions to one subgraph.', async () => subscriptions.upstreamSocketCount);
  const report = operationReport(metrics.operationDurations, logger, metrics.overrideOutcomes);
  const pipeline = await createRequestPipeline(config, { served: () => served.current, metrics, logger });

  const receiving = receiveTimeouts(config.requestTimeoutMs);
  const httpServer = http.createServer<typeof GatewayRequest>({ ...receiving, IncomingMessage: GatewayRequest });
  answerClientErrors(httpServer);
  // A connection that never begins a request has as long as one that begins it has for its headers.
  closeSilentConnections(httpServer, receiving.headersTimeout);
  let draining = false;
  const origins = allowedOrigins(config.corsOrigins);
  const bodies = serviceMetrics.requestBodyBudget({ maxBytes: config.requestBodiesMaxBytes, bodyLimitBytes: config.bodyLimitBytes });
  const subscriptionStreams = httpSubscriptions({
    executor: subscriptions,
    heartbeatMs: config.subscriptions.httpHeartbeatMs,
    // As a WebSocket is dropped once it misses a pong: pinged after one interval, gone after the next.
    stalledAfterMs: 2 * config.subscriptions.keepAliveMs,
    maxPerClient: config.subscriptions.maxPerClient,
    logger: logger.child({ component: 'subscriptions' }),
  });
  const routes = gatewayRoutes({
    logger,
    readiness: { checks: [{ name: 'supergraph', check: () => served.current !== null }, ...(hooks.readinessChecks ?? [])], isDraining: () => draining },
    metrics: { contentType: serviceMetrics.registry.contentType, text: () => serviceMetrics.registry.metrics() },
    graphql: middlewareChain([
      startClock,
      corsFor(origins),
      allowedMethods(),
      csrfPrevention(),
      bodies.handler,
      jsonBody(config.bodyLimitBytes),
      clientAddressMiddleware(pipeline.clientAddressOf),
      authenticate(verifyToken),
      admitHttpOperation(pipeline.admit, report),
      // Subscriptions over SSE and multipart; queries and mutations go on.
      subscriptionStreams.handler,
      serveOperation(runner, report),
      landingPage(config.nodeEnv),
    ]),
  });
  httpServer.on('request', routes);
  const webSockets = webSocketsOnFirstUpgrade({
    httpServer,
    path: '/graphql',
    verifyToken,
    executor: subscriptions,
    admit: pipeline.admit,
    runner,
    report,
    clientAddressOf: pipeline.clientAddressOf,
    keepAliveMs: config.subscriptions.keepAliveMs,
    maxPerConnection: config.subscriptions.maxPerConnection,
    maxConnectionsPerClient: config.subscriptions.maxConnectionsPerClient,
    maxMessageBytes: config.bodyLimitBytes,
    allowsOrigin: (origin) => origins.has(origin),
    connectionsGauge: metrics.webSocketConnections,
    logger: logger.child({ component: 'subscriptions' }),
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ port: config.port, host: config.host, reusePort: config.reusePort }, () => resolve());
  }).catch(async (err) => {
    await pipeline.stop();
    throw err;
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host}:${port}/graphql`;

  const following = served.follow(source.gatewayInput).then(() => usage?.start());
  if (source.availableAtStart) {
    await following.catch(async (err) => {
      await drainHttpServer(httpServer, 0);
      await pipeline.stop();
      throw err;
    });
    logger.info({ url, engine: engine.name, supergraph: config.supergraph.kind === 'registry' ? { kind: 'registry', graphRef: config.supergraph.registry.graphRef } : config.supergraph }, 'gateway ready');
  } else {
    following.then(
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
        if (!served.current) await source.abandon();
        // Open HTTP streams would hold the drain below until its grace ends: end them first.
        await subscriptionStreams.stop();
        // Upgraded sockets would hold the HTTP server's close: complete the streams and close them first.
        await webSockets.stop();
        await subscriptions.stop();
        await drainHttpServer(httpServer, drainGraceMs);
        await served.stop();
        await engine.close();
        // After the drain: every request served is counted, so this last batch is complete.
        await usage?.stop();
        await pipeline.stop();
        logger.info({}, 'stopped');
      })();
      return stopping;
    },
  };
}
