import type http from 'node:http';
import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Logger } from '@ficus/kit';
import type { GatewayConfig } from '../config';
import type { GatewayContext } from '../execution/gateway-context';
import type { SupergraphExecutor } from '../execution/supergraph-executor';
import { landingPageFor } from './landing-page';

/**
 * Apollo Server runs what the request pipeline admitted (queries and mutations over HTTP)
 * with @apollo/gateway's executor, and serves the Sandbox landing page. The checks are not
 * its: they ran before it, the same for every transport.
 */
export function createApolloServer(options: {
  config: GatewayConfig;
  executor: SupergraphExecutor;
  httpServer: http.Server;
  plugins: ApolloServerPlugin<GatewayContext>[];
  logger: Logger;
}): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    gateway: options.executor.gateway,
    nodeEnv: options.config.nodeEnv,
    logger: options.logger,
    csrfPrevention: true,
    // Stack traces name files and subgraph URLs: they stay in the log, keyed by request id.
    includeStacktraceInErrorResponses: false,
    introspection: options.config.introspection,
    // The pipeline resolves persisted ids (trusted documents, APQ) before this, in a bounded store.
    persistedQueries: false,
    // runService owns SIGINT and SIGTERM; two handlers would race to stop the server.
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }), landingPageFor(options.config.nodeEnv), ...options.plugins],
  });
}
