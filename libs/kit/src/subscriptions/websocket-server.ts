import type http from 'node:http';
import { GraphQLError, GraphQLFormattedError, GraphQLSchema, subscribe as graphqlSubscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { formatErrorFor } from '../http/format-error';
import { OpenStreams } from './open-streams';

export interface SubscriptionServerOptions<TContext> {
  httpServer: http.Server;
  path: string;
  schema: GraphQLSchema;
  logger: Logger;
  /** Builds a subscription's context from the `connection_init` payload (the gateway forwards identity there). */
  context: (connectionParams: Record<string, unknown>) => TContext | Promise<TContext>;
  /** WebSocket pings, so that a dead peer is noticed on both sides. */
  keepAliveMs: number;
  streams: OpenStreams;
}

export interface SubscriptionServer {
  /** Ends every open stream (clients receive `complete`), then closes the sockets. */
  stop(): Promise<void>;
}

/** Serves the schema's `Subscription` fields over graphql-ws (`graphql-transport-ws`) on the HTTP server's path. */
export function startSubscriptionServer<TContext>(options: SubscriptionServerOptions<TContext>): SubscriptionServer {
  const formatError = formatErrorFor(options.logger);
  const format = (error: GraphQLError): GraphQLFormattedError => {
    const formatted = error.toJSON();
    const unexpected = error.originalError && !(error.originalError instanceof GraphQLError) && !formatted.extensions?.code;
    return formatError(unexpected ? { ...formatted, extensions: { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR' } } : formatted, error);
  };
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path });
  let stopping = false;
  const server = useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      onConnect: () => !stopping,
      context: (ctx) => options.context(ctx.connectionParams ?? {}) as never,
      subscribe: async (args) => {
        const result = await graphqlSubscribe(args);
        return Symbol.asyncIterator in result ? options.streams.track(result) : result;
      },
      // The same error shapes as over HTTP: domain errors keep their code, the unexpected are masked.
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: result.errors.map(format) } : result),
      onError: (_ctx, _id, _payload, errors) => errors.map(format),
    },
    wss,
    options.keepAliveMs,
  );
  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await options.streams.endAll();
        // Closes every socket with 1001 (going away); the `complete` of each ended stream is queued before it.
        await server.dispose();
      })();
      return stopped;
    },
  };
}
