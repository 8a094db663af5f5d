import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { closeWebSockets, type Identity, type Logger } from '@ficus/kit/service';
import type { ExecutionResult } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Gauge } from 'prom-client';
import { WebSocket, WebSocketServer } from 'ws';
import { bearerTokenOf, malformedAuthorization } from '../auth/authenticate';
import { InvalidTokenError, TokenVerifier } from '../auth/token-verifier';
import { clientApplicationOf } from './client-application';
import type { GatewayContext } from '../execution/gateway-context';
import { runAt } from '../execution/run-at';
import type { SubscriptionExecutor } from '../execution/subscription-executor';
import { EngineRefusal, EngineResult, isIncremental } from '../engine/engine';
import { engineRefusal, gatewayError, refusal } from '../errors';
import type { ReportOperation } from '../observability/operation-report';
import type { Admit } from '../pipeline/admission';
import type { OperationRunner } from '../pipeline/operation-runner';
import { operationParamsOf } from '../pipeline/operation-params';
import type { ClientAddressOf } from './client-address';
import { ConnectionStreams } from './connection-streams';
import { traceparentOf } from './trace-context';

/** Close codes sent when a connection is refused at `connection_init` (graphql-ws keeps 4400–4499 for such). */
export const closeCodes = {
  /** The bearer token is malformed, invalid or expired (also sent when it expires while the socket is open). */
  unauthenticated: 4401,
  /** The signing keys cannot be fetched: try again later. */
  keysUnavailable: 1011,
  /** The gateway is shutting down. */
  goingAway: 1001,
} as const;

/**
 * How much may be written to a socket and not yet taken by its client before the gateway stops
 * reading that socket. A client that sends (pings, echoed as pongs with their payload; operations,
 * answered) and never reads would otherwise grow the gateway's memory without bound: 160 MB of
 * pings grew it by 600 MB. Reading resumes as the client takes what waits; one that takes nothing
 * misses the keep-alive's pong and is dropped.
 */
export const maxUnsentBytesPerSocket = 1024 * 1024;

export interface WebSocketServerOptions {
  httpServer: http.Server;
  path: string;
  verifyToken: TokenVerifier;
  executor: SubscriptionExecutor;
  /** The request pipeline's checks, the same for every transport. */
  admit: Admit;
  /** Runs the queries and mutations sent over a socket, through the stages HTTP requests go through. */
  runner: OperationRunner;
  /** Where each query or mutation's end is told (its duration metric and log line), as for HTTP. */
  report: ReportOperation;
  clientAddressOf: ClientAddressOf;
  keepAliveMs: number;
  maxPerConnection: number;
  /** Sockets one client IP may hold open at once; one more upgrade is refused with 429. */
  maxConnectionsPerClient: number;
  /** The largest message a socket may send (BODY_LIMIT_BYTES, as for a POST): a larger one closes the socket with 1009. */
  maxMessageBytes: number;
  /** Whether a browser page of this origin may open a socket (pages of the gateway's own origin and non-browser clients always may). */
  allowsOrigin: (origin: string) => boolean;
  /** The sockets accepted at connection_init and open now. */
  connectionsGauge: Pick<Gauge, 'set'>;
  logger: Logger;
}

export interface GatewayWebSocketServer {
  /** Ends every open subscription (clients receive `complete`), then closes the sockets. */
  stop(): Promise<void>;
}

interface Connection {
  identity: Identity | null;
  scopes: readonly string[];
  client: { name: string; version: string };
  traceparent: string | null;
  clientAddress: string;
}

type Extra = { request: http.IncomingMessage; socket: import('ws').WebSocket };

/**
 * GraphQL over graphql-ws (`graphql-transport-ws`) on the HTTP server's GraphQL path:
 * subscriptions, and queries and mutations too, as the protocol has them (Apollo Kotlin and
 * urql clients send every operation over one socket). The bearer token comes in the
 * `connection_init` payload, as `{ authorization }` or `{ headers: { authorization } }`, and is
 * verified once per connection. A query or mutation gets one `next` and `complete`; its
 * deferred fragments come in that one result, as for an HTTP client that does not take parts.
 */
export function startWebSocketServer(options: WebSocketServerOptions): GatewayWebSocketServer {
  /** The client a socket is counted against, found the way every transport finds it. */
  const clientOf = (request: http.IncomingMessage) => options.clientAddressOf(request.socket.remoteAddress, request.headers['x-forwarded-for']);
  // Open sockets per client IP. The upgrade is counted in the same tick it is accepted
  // (`verifyClient` answers synchronously, and ws then completes the upgrade and emits
  // `connection` at once), so concurrent upgrades cannot overshoot the limit.
  const perClient = new Map<string, number>();
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: options.maxMessageBytes,
    verifyClient: (info, accept) => {
      // Browsers let any page open a WebSocket to any host, with the user's cookies: only the
      // Origin header tells a page the gateway trusts from one it does not.
      const origin = info.req.headers.origin;
      if (origin && !sameOrigin(origin, info.req) && !options.allowsOrigin(origin)) {
        options.logger.info({ origin }, 'refused a WebSocket upgrade: origin not allowed');
        accept(false, 403, 'Origin not allowed');
        return;
      }
      const client = clientOf(info.req);
      if ((perClient.get(client) ?? 0) >= options.maxConnectionsPerClient) {
        options.logger.info({ client, limit: options.maxConnectionsPerClient }, 'refused a WebSocket upgrade: too many connections');
        accept(false, 429, 'Too many connections');
        return;
      }
      accept(true);
    },
  });
  wss.on('connection', (socket, request) => {
    const client = clientOf(request);
    pauseWhileBacklogged(socket, maxUnsentBytesPerSocket);
    perClient.set(client, (perClient.get(client) ?? 0) + 1);
    socket.once('close', () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
    });
  });
  const connections = new Map<Context<Record<string, unknown>, Extra>, Connection>();
  const streams = new ConnectionStreams();
  /** When each operation's `subscribe` message arrived: a query or mutation's duration starts there. */
  const arrivals = new WeakMap<GatewayContext, number>();
  let stopping = false;

  const runQueryOrMutation = async (context: GatewayContext): Promise<ExecutionResult> => {
    const admitted = context.admitted!;
    let result: ExecutionResult;
    try {
      const outcome = await options.runner.execute(admitted, context);
      // Without `incremental` the runner answers in one result; parts would be a bug here.
      if (isIncremental(outcome)) throw new Error('the runner answered in parts an operation run without incremental delivery');
      result = serializable(outcome);
    } catch (err) {
      if (err instanceof EngineRefusal) {
        result = { errors: engineRefusal(err.code, err.message).errors };
      } else {
        context.logger.error({ err }, 'the operation failed');
        result = { errors: refusal('INTERNAL_SERVER_ERROR', `the gateway failed to run the operation; request id ${context.requestId}`).errors };
      }
    }
    options.report({ startedAt: arrivals.get(context) ?? performance.now(), admitted, errors: result.errors, client: context.client, log: () => context.logger });
    return result;
  };

  const server = useServer<Record<string, unknown>, Extra>(
    {
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        if (stopping) {
          socket.close(closeCodes.goingAway, 'the gateway is shutting down');
          return false;
        }
        const authorization = authorizationOf(ctx.connectionParams);
        let identity: Identity | null = null;
        let expiresAt: number | null = null;
        let scopes: readonly string[] = [];
        if (authorization !== null) {
          const token = bearerTokenOf(authorization);
          if (!token) {
            socket.close(closeCodes.unauthenticated, `Unauthenticated: ${malformedAuthorization}`);
            return false;
          }
          try {
            ({ identity, expiresAt, scopes } = await options.verifyToken(token));
          } catch (err) {
            if (err instanceof InvalidTokenError) {
              options.logger.info({ reason: err.reason }, 'refused a bearer token at connection_init');
              socket.close(closeCodes.unauthenticated, `Unauthenticated: ${err.message}`);
            } else {
              options.logger.error({ err }, 'cannot verify bearer tokens: the signing keys are unavailable');
              socket.close(closeCodes.keysUnavailable, 'cannot verify the bearer token right now; try again');
            }
            return false;
          }
        }
        // The socket may have closed while its token was verified: graphql-ws has then run onClose
        // already, so an entry made now would never be removed, nor the expiry timer cancelled.
        if (socket.readyState !== socket.OPEN) return false;
        connections.set(ctx, {
          identity,
          scopes,
          client: clientApplicationOf((name) => header(request, name) ?? undefined),
          clientAddress: clientOf(request), traceparent: traceparentOf(header(request, 'traceparent')) });
        options.connectionsGauge.set(connections.size);
        if (expiresAt !== null) closeAtExpiry(socket, expiresAt);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // The one being subscribed is already counted in graphql-ws's own, not in ours.
        if (Object.keys(ctx.subscriptions).length > options.maxPerConnection || streams.count(ctx) >= options.maxPerConnection) {
          return [gatewayError('TOO_MANY_SUBSCRIPTIONS', `a connection may hold at most ${options.maxPerConnection} subscriptions at once`)];
        }
        const arrivedAt = performance.now();
        const connection = connections.get(ctx);
        const identity = connection?.identity ?? null;
        const clientAddress = connection?.clientAddress ?? 'unknown';
        const shaped = operationParamsOf(payload);
        if ('refused' in shaped) return shaped.refused.errors;
        const admission = await options.admit(shaped.params, { identity, clientAddress });
        if (admission.refused) return admission.refused.errors;
        const { admitted } = admission;
        const requestId = randomUUID();
        const context: GatewayContext = {
          requestId,
          traceparent: connection?.traceparent ?? null,
          identity,
          scopes: connection?.scopes ?? [],
          clientAddress,
          client: connection?.client,
          logger: options.logger.child({ requestId, transport: 'graphql-ws' }),
          admitted,
        };
        arrivals.set(context, arrivedAt);
        streams.bind(context, ctx);
        return {
          schema: admitted.served.apiSchema,
          document: admitted.document,
          operationName: admitted.operationName,
          variableValues: admitted.coercedVariables,
          contextValue: context,
        };
      },
      onClose: async (ctx) => {
        connections.delete(ctx);
        options.connectionsGauge.set(connections.size);
        await streams.endAll(ctx);
      },
      // onSubscribe put the admitted operation in the context.
      subscribe: async (args) => {
        const context = args.contextValue as GatewayContext;
        return streams.track(context, await options.executor.subscribe(context.admitted!, context));
      },
      execute: (args) => runQueryOrMutation(args.contextValue as GatewayContext),
    },
    wss,
    options.keepAliveMs,
  );

  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await options.executor.endAll(null);
        // graphql-ws sends each ended stream's `complete` a few ticks later: let it go out before the sockets close.
        const deadline = Date.now() + drainMs;
        while (Date.now() < deadline && [...connections.keys()].some((ctx) => Object.keys(ctx.subscriptions).length > 0)) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        // Closes every socket with 1001 (going away), cutting off those that do not answer.
        await closeWebSockets(() => server.dispose(), wss);
      })();
      return stopped;
    },
  };
}

/**
 * The engine's result as graphql-ws sends it. graphql-ws serializes each error with `toJSON()`,
 * as a GraphQLError has; the engine's errors are already the JSON an HTTP client gets (message,
 * locations, path, extensions), so each serializes to itself.
 */
function serializable(result: EngineResult & { extensions?: Record<string, unknown> }): ExecutionResult {
  if (!result.errors) return result as ExecutionResult;
  const errors = result.errors.map((error) => ({ ...error, toJSON: () => error }));
  return { ...result, errors } as unknown as ExecutionResult;
}

/** The longest shutdown waits for the `complete` of ended streams to be sent. */
const drainMs = 2_000;

/** The authorization value of a `connection_init` payload, null when there is none. */
function authorizationOf(params: Context['connectionParams']): string | null {
  if (!params) return null;
  const headers = typeof params.headers === 'object' && params.headers !== null ? (params.headers as Record<string, unknown>) : {};
  const value = params.authorization ?? params.Authorization ?? headers.authorization ?? headers.Authorization;
  return typeof value === 'string' ? value : null;
}

/**
 * Closes the socket with 4401 when its bearer token expires, which ends its subscriptions:
 * the identity it proved holds no longer. graphql-ws clients reconnect with fresh
 * `connectionParams` (a function in Apollo Client and graphql-ws' `createClient`).
 */
function closeAtExpiry(socket: import('ws').WebSocket, expiresAt: number): void {
  const expiry = runAt(expiresAt, () => socket.close(closeCodes.unauthenticated, 'Unauthenticated: the bearer token has expired'));
  socket.once('close', () => expiry.cancel());
}

/** Whether the page's origin is the gateway's own (its Host): the embedded Sandbox's page, for one. */
function sameOrigin(origin: string, request: http.IncomingMessage): boolean {
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Stops reading the socket while more than `limit` written to it waits for its client, and reads
 * again once a write completes with the backlog under it: the client's own messages then wait in
 * its buffers, not the gateway's memory.
 */
function pauseWhileBacklogged(socket: WebSocket, limit: number): void {
  const send = socket.send.bind(socket) as (data: unknown, options: object, done: (err?: Error) => void) => void;
  let paused = false;
  socket.send = ((data: unknown, optionsOrDone?: object | ((err?: Error) => void), maybeDone?: (err?: Error) => void) => {
    const done = typeof optionsOrDone === 'function' ? optionsOrDone : maybeDone;
    const options = typeof optionsOrDone === 'function' ? {} : (optionsOrDone ?? {});
    send(data, options, (err) => {
      if (paused && socket.bufferedAmount <= limit) {
        paused = false;
        socket.resume();
      }
      done?.(err);
    });
    if (!paused && socket.bufferedAmount > limit) {
      paused = true;
      socket.pause();
    }
  }) as WebSocket['send'];
}
