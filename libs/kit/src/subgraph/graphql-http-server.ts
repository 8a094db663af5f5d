import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import express, { Express } from 'express';
import { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { DomainError } from '../errors';
import { bodyErrorHandler, HealthCheck, healthRoutes, jsonBody, notFoundHandler, requestIdMiddleware } from '../http/http-app';
import { abandonmentOf } from '../http/abandonment';
import { answerClientErrors } from '../http/client-errors';
import { receiveTimeouts } from '../http/receive-timeouts';
import { defaultRequestBodiesMaxBytes } from '../config/request-bodies';
import { closeSilentConnections } from '../http/silent-connections';
import { formatErrorFor } from '../http/format-error';
import { gatewaySignatureCheck } from '../http/gateway-signature-check';
import { defaultLexicalLimits, lexicalLimitsMiddleware } from '../limits/lexical-limits-middleware';
import { OperationLimits } from '../limits/operation-limits';
import type { LexicalLimits } from '../limits/parse-within-limits';
import { nulTextPlugin } from '../limits/nul-text';
import { operationLimitsPlugin } from '../limits/operation-limits-plugin';
import type { RequestSignature } from '../request-signature';
import { requestLogPlugin } from '../http/request-log-plugin';
import { OpenStreams } from '../subscriptions/open-streams';
import { ContextRequest, InProcessHandler, inProcessHandler } from './in-process-handler';
import { startSubscriptionServer, SubscriptionServer } from '../subscriptions/websocket-server';
import type { ServiceMetrics } from '../metrics/service-metrics';

/** A subgraph's SDL and resolvers (built with `buildSubgraphSchema`), or a plain schema for a service that is not a subgraph. */
export type GraphQLHttpSchema = { typeDefs: DocumentNode; resolvers: object } | { schema: GraphQLSchema };

export type GraphQLHttpServerOptions<TContext extends { logger: Logger }> = GraphQLHttpSchema & {
  logger: Logger;
  host: string;
  port: number;
  /** Shares the port with other processes that set it too (SO_REUSEPORT); the config refuses it on a Node without it. */
  reusePort?: boolean;
  bodyLimitBytes: number;
  /** The request-body bytes held at once, across requests (REQUEST_BODIES_MAX_BYTES; default `defaultRequestBodiesMaxBytes`). */
  requestBodiesMaxBytes?: number;
  checks: HealthCheck[];
  metrics: ServiceMetrics;
  /**
   * Over HTTP an express request; in process one with the same headers, id and logger. Over HTTP,
   * `abandoned` is aborted if the client closes the connection before its answer is complete.
   */
  context: (req: ContextRequest, abandoned?: AbortSignal) => TContext | Promise<TContext>;
  routes?: (app: Express) => void;
  /** Answers on `/graphql` (HTTP and graphql-ws) only what the gateway signed, and an unsigned `{ _service { sdl } }`. */
  gatewaySignature?: RequestSignature | null;
  /** Refuses operations beyond these limits, over HTTP and graphql-ws. */
  operationLimits?: OperationLimits;
  /** The most tokens and nesting `/graphql` parses (default `defaultLexicalLimits`). */
  lexicalLimits?: LexicalLimits;
  /** How long a connection may stay open without sending a byte (default `silentConnectionTimeoutMs`). */
  silentConnectionTimeoutMs?: number;
  /** Serves `Subscription` fields over graphql-ws on `/graphql` too. */
  subscriptions?: {
    /** Builds each subscription's context from its params: `connection_init`'s, with its own `headers` if it sent some. */
    context: (connectionParams: Record<string, unknown>) => TContext | Promise<TContext>;
    keepAliveMs: number;
    streams: OpenStreams;
  };
};

export interface GraphQLHttpServer {
  url: string;
  port: number;
  /** `/graphql` for a gateway in this process (the modular monolith): the same checks and context, without a socket. */
  inProcess: InProcessHandler;
  /** Marks the service not ready, stops accepting and waits for requests in flight. */
  stop(): Promise<void>;
}

const requestReceiveTimeoutMs = 60_000;

/** A service's HTTP face: `/graphql` (Apollo Server), `/health`, `/ready` and any extra routes. */
export async function startGraphQLHttpServer<TContext extends { logger: Logger }>(
  options: GraphQLHttpServerOptions<TContext>,
): Promise<GraphQLHttpServer> {
  const { logger } = options;
  const app = express();
  app.disable('x-powered-by');
  // A request (headers and body) must arrive within a minute, not Node's five, so trickled ones are not held for long.
  const httpServer = http.createServer(receiveTimeouts(requestReceiveTimeoutMs), app);
  answerClientErrors(httpServer);
  closeSilentConnections(httpServer, options.silentConnectionTimeoutMs);
  const bodies = options.metrics.requestBodyBudget({ maxBytes: options.requestBodiesMaxBytes ?? defaultRequestBodiesMaxBytes, bodyLimitBytes: options.bodyLimitBytes });
  let draining = false;
  const schema =
    'schema' in options
      ? options.schema
      : buildSubgraphSchema([{ typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> }]);
  const lexicalLimits = options.lexicalLimits ?? defaultLexicalLimits;
  const apollo = new ApolloServer<TContext>({
    schema,
    parseOptions: { maxTokens: lexicalLimits.maxTokens },
    plugins: [
      // No schema gives cache hints, and the plugin's per-field hook wraps every resolver: a
      // response of thousands of fields (a registry check report) spent a third of its time there.
      // Responses stay uncacheable, as the plugin said: see noStore below.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      requestLogPlugin<TContext>(options.metrics),
      nulTextPlugin<TContext>(),
      ...(options.operationLimits ? [operationLimitsPlugin<TContext>(options.operationLimits)] : []),
    ],
    formatError: formatErrorFor(logger),
    includeStacktraceInErrorResponses: false,
    // runService owns SIGINT/SIGTERM and stops everything in order.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  const contextOf = async (req: ContextRequest, abandoned?: AbortSignal): Promise<TContext> => {
    try {
      return await options.context(req, abandoned);
    } catch (err) {
      // A request the context refuses (identity headers the gateway did not sign) is the caller's fault, not a 500.
      if (!(err instanceof DomainError)) throw err;
      const status = err.code === 'UNAUTHENTICATED' ? 401 : err.code === 'FORBIDDEN' ? 403 : 400;
      throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status } } });
    }
  };

  app.use(requestIdMiddleware(logger));
  app.use(bodies.handler);
  healthRoutes(app, options.checks, () => draining);
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  options.routes?.(app);
  app.use(
    '/graphql',
    noStore,
    jsonBody(options.bodyLimitBytes, { keepRawBody: Boolean(options.gatewaySignature) }),
    ...(options.gatewaySignature ? [gatewaySignatureCheck(options.gatewaySignature)] : []),
    lexicalLimitsMiddleware(lexicalLimits),
    expressMiddleware(apollo, { context: ({ req, res }) => contextOf(req, abandonmentOf(res)) }),
  );
  app.use(notFoundHandler);
  app.use(bodyErrorHandler);

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen({ port: options.port, host: options.host, reusePort: options.reusePort ?? false }, () => resolve());
    });
  } catch (err) {
    await apollo.stop();
    throw err;
  }
  const subscriptions: SubscriptionServer | null = options.subscriptions
    ? startSubscriptionServer({
        httpServer,
        path: '/graphql',
        schema,
        logger,
        gatewaySignature: options.gatewaySignature ?? null,
        operationLimits: options.operationLimits,
        maxMessageBytes: options.bodyLimitBytes,
        ...options.subscriptions,
      })
    : null;
  const port = (httpServer.address() as AddressInfo).port;
  let stopped: Promise<void> | null = null;
  return {
    url: `http://${options.host}:${port}/graphql`,
    port,
    inProcess: inProcessHandler({
      apollo,
      logger,
      bodyLimitBytes: options.bodyLimitBytes,
      gatewaySignature: options.gatewaySignature ?? null,
      context: contextOf,
    }),
    stop() {
      stopped ??= (async () => {
        draining = true;
        // Streams first: the HTTP drain waits for every socket, WebSockets included.
        await subscriptions?.stop();
        await apollo.stop();
      })();
      return stopped;
    },
  };
}

/** What Apollo Server's cache-control plugin answered for responses without cache hints. */
function noStore(_req: express.Request, res: express.Response, next: express.NextFunction): void {
  res.setHeader('cache-control', 'no-store');
  next();
}
