import type http from 'node:http';
import { GraphQLError, GraphQLFormattedError, GraphQLSchema, subscribe as graphqlSubscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { DomainError } from '../errors';
import { formatErrorFor } from '../http/format-error';
import { refuseNulText } from '../limits/nul-text';
import { checkOperationLimits, OperationLimits } from '../limits/operation-limits';
import type { HeaderMap, RequestSignature } from '../request-signature';
import { OpenStreams } from './open-streams';
import { closeWebSockets } from './close-websockets';

export interface SubscriptionServerOptions<TContext> {
  httpServer: http.Server;
  path: string;
  schema: GraphQLSchema;
  logger: Logger;
  /** Builds a subscription's context from its forwarded params (see `operationParams`): the gateway sends identity as `headers`. */
  context: (connectionParams: Record<string, unknown>) => TContext | Promise<TContext>;
  /** WebSocket pings, so that a dead peer is noticed on both sides. */
  keepAliveMs: number;
  streams: OpenStreams;
  /** Runs only operations whose subscribe message carries the gateway's signature of that operation. */
  gatewaySignature?: RequestSignature | null;
  /** Refuses operations beyond these limits. */
  operationLimits?: OperationLimits;
  /** The largest message a socket may send, as an HTTP body is limited: a larger one closes the socket (1009). */
  maxMessageBytes: number;
}

/**
 * The params one subscription runs with: the `connection_init` payload, whose `headers` give
 * way to the subscription's own when its subscribe message carries `extensions.headers` (the
 * gateway multiplexes many callers over one socket). So each operation is authorised as its
 * own caller, and a socket that names one caller keeps working as before.
 */
export function operationParams(connectionParams: Record<string, unknown> | undefined, extensions: unknown): Record<string, unknown> {
  const headers = isRecord(extensions) ? extensions.headers : undefined;
  return isRecord(headers) ? { ...connectionParams, headers } : (connectionParams ?? {});
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const refusal = Symbol('refused context');

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
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: options.maxMessageBytes });
  let stopping = false;
  const server = useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      onConnect: () => !stopping,
      // A context refused (an operation the gateway did not sign) fails that one operation:
      // thrown here, graphql-ws would close the socket and with it every other caller's subscriptions.
      context: async (ctx, _id, payload) => {
        try {
          const params = operationParams(ctx.connectionParams, payload.extensions);
          options.gatewaySignature?.verifyOperation({
            query: payload.query,
            variables: payload.variables,
            operationName: payload.operationName,
            headers: isRecord(params.headers) ? (params.headers as HeaderMap) : {},
          });
          return (await options.context(params)) as never;
        } catch (err) {
          return { [refusal]: err } as never;
        }
      },
      subscribe: async (args) => {
        const refused = (args.contextValue as { [refusal]?: unknown } | undefined)?.[refusal];
        if (refused !== undefined) {
          const error = refused instanceof DomainError
            ? new GraphQLError(refused.message, { extensions: { code: refused.code } })
            : new GraphQLError((refused as Error).message, { originalError: refused as Error });
          return { errors: [error] };
        }
        try {
          refuseNulText(args.document, args.variableValues);
          if (options.operationLimits) checkOperationLimits(args.schema, args.document, args.operationName, args.variableValues, options.operationLimits);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          return { errors: [new GraphQLError(err.message, { extensions: { code: err.code } })] };
        }
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
        await closeWebSockets(() => server.dispose(), wss);
      })();
      return stopped;
    },
  };
}
