import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { bodyErrorHandler, createLogger, healthRoutes, jsonBody, requestIdMiddleware } from '@ficus/kit';
import express from 'express';
import { authenticate } from './auth/authenticate';
import { createTokenVerifier } from './auth/token-verifier';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './execution/gateway-context';
import { createSupergraphExecutor } from './execution/supergraph-executor';
import { corsFor } from './http/cors';
import { landingPageFor } from './http/landing-page';
import { traceparentOf } from './http/trace-context';
import { loadSupergraphSdl } from './supergraph/load-supergraph';

export interface GatewayHandle {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, then stops the gateway. */
  stop(): Promise<void>;
}

/** Builds and starts the gateway. `config.port` 0 picks a free port (tests). */
export async function build(config: GatewayConfig): Promise<GatewayHandle> {
  const logger = createLogger('gateway', config.logLevel);
  const supergraphSdl = await loadSupergraphSdl(config.supergraph, logger);
  const verifyToken = await createTokenVerifier({
    keys: config.tokenKeys,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
  const executor = createSupergraphExecutor({
    supergraphSdl,
    subgraphTimeoutMs: config.subgraphTimeoutMs,
    logger: logger.child({ component: 'apollo-gateway' }),
  });

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
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), landingPageFor(config.nodeEnv)],
  });
  await apollo.start();

  app.use(requestIdMiddleware(logger));
  healthRoutes(app, [{ name: 'supergraph', check: () => executor.isLoaded() }], () => draining);
  app.use(
    '/graphql',
    corsFor(config.corsOrigins),
    jsonBody(config.bodyLimitBytes),
    authenticate(verifyToken),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GatewayContext> => ({
        requestId: req.requestId,
        traceparent: traceparentOf(req.header('traceparent')),
        identity: req.identity,
        logger: req.log,
      }),
    }),
  );
  app.use(bodyErrorHandler);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host}:${port}/graphql`;
  logger.info({ url, supergraph: config.supergraph }, 'gateway ready');

  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    stop() {
      stopping ??= (async () => {
        draining = true;
        logger.info({}, 'shutting down: draining requests');
        // Apollo Server drains the HTTP server first, then stops the gateway.
        await apollo.stop();
        logger.info({}, 'stopped');
      })();
      return stopping;
    },
  };
}
