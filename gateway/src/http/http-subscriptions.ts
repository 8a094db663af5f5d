import type { ServerResponse as Response } from 'node:http';
import type { Logger } from '@ficus/kit/service';
import { ExecutionResult, GraphQLError, OperationTypeNode } from 'graphql';
import { gatewayError, GatewayErrorCode, refusalBody } from '../errors';
import { clientApplicationOf } from './client-application';
import { HttpStage, sendJson } from './gateway-request';
import type { GatewayContext } from '../execution/gateway-context';
import type { SubscriptionExecutor } from '../execution/subscription-executor';
import { traceparentOf } from './trace-context';

/** The HTTP subscription protocols a client can ask for with its `Accept` header. */
export type HttpSubscriptionProtocol = 'sse' | 'multipart';

export interface HttpSubscriptionsOptions {
  executor: SubscriptionExecutor;
  heartbeatMs: number;
  /** A client that takes nothing written to it for this long is dropped, as a WebSocket that misses a pong is. */
  stalledAfterMs: number;
  /** Streams one client IP may hold open at once. */
  maxPerClient: number;
  logger: Logger;
}

export interface HttpSubscriptions {
  /**
   * Serves admitted subscription operations sent with an SSE or multipart `Accept` header, and
   * refuses other subscriptions with 406 (the engine answers one result, not a stream); passes
   * queries and mutations on untouched. Mount it after the request pipeline's checks, before the engine.
   */
  handler: HttpStage;
  /** Ends every open stream (clients get the stream's end), refusing new ones. */
  stop(): Promise<void>;
}

/**
 * How one protocol frames results. SSE is graphql-sse's "distinct connections" mode
 * (github.com/enisdenjo/graphql-sse PROTOCOL.md); multipart is Apollo's subscription
 * protocol (subscriptionSpec 1.0), which Apollo Client and Apollo Sandbox speak.
 */
interface Framing {
  contentType: string;
  result(result: ExecutionResult): string;
  /** An error that ends the stream without a result: multipart marks it as a transport error. */
  fatal(errors: readonly GraphQLError[]): string;
  heartbeat: string;
  /** Written once the headers are out, before the first result. */
  start: string;
  end: string;
}

// Each part is followed at once by the next delimiter, as Apollo's router writes it: a client
// knows a part is whole when the delimiter arrives, so ending the part with it delivers the
// event now instead of with the next event or heartbeat.
const multipartPart = (body: unknown) => `\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(body)}\r\n--graphql`;

const framings: Record<HttpSubscriptionProtocol, Framing> = {
  sse: {
    contentType: 'text/event-stream; charset=utf-8',
    result: (result) => `event: next\ndata: ${JSON.stringify(result)}\n\n`,
    fatal: (errors) => `event: next\ndata: ${JSON.stringify({ errors })}\n\n`,
    // A comment line: EventSource and graphql-sse clients ignore it.
    heartbeat: ':\n\n',
    start: '',
    end: 'event: complete\ndata:\n\n',
  },
  multipart: {
    contentType: 'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"',
    result: (result) => multipartPart({ payload: result }),
    fatal: (errors) => multipartPart({ payload: null, errors }),
    heartbeat: multipartPart({}),
    start: '\r\n--graphql',
    // Closes the delimiter that ended the last part: `--graphql--`.
    end: '--\r\n',
  },
};

/** Codes of the executor's last result when the stream ends for a reason other than the subscription's own. */
const endingCodes = new Set(['SUBGRAPH_SUBSCRIPTION_LOST', 'SUBSCRIPTION_CLIENT_TOO_SLOW', 'SUPERGRAPH_RELOADED', 'INTERNAL_SERVER_ERROR']);

/** Which HTTP subscription protocol an `Accept` header asks for; multipart wins, as Apollo Client lists both. */
export function subscriptionProtocolOf(accept: string | undefined): HttpSubscriptionProtocol | null {
  if (!accept) return null;
  const lower = accept.toLowerCase();
  if (/multipart\/mixed\s*;[^,]*subscriptionspec\s*=\s*"?1\.0"?/.test(lower)) return 'multipart';
  if (lower.includes('text/event-stream')) return 'sse';
  return null;
}

const notAStream =
  'a subscription over HTTP needs an Accept header that asks for a stream: multipart/mixed;subscriptionSpec="1.0" (Apollo Client) or text/event-stream; or use graphql-ws';

/** GraphQL subscriptions over SSE and multipart HTTP on the GraphQL endpoint, run by the same executor as graphql-ws. */
export function httpSubscriptions(options: HttpSubscriptionsOptions): HttpSubscriptions {
  const perClient = new Map<string, number>();
  const open = new Set<Promise<void>>();
  let stopping = false;
  // Stops waiting for clients that are not reading, so that shutdown does not wait for them.
  const stop = new AbortController();

  const handler: HttpStage = (req, res, next) => {
    const protocol = subscriptionProtocolOf(req.header('accept'));
    const admitted = req.admitted;
    // Anything but a subscription keeps going to the engine.
    if (!admitted || admitted.operation.operation !== OperationTypeNode.SUBSCRIPTION) return next();
    if (!protocol) return refuse(res, 406, notAStream, 'INVALID_ACCEPT_HEADER');

    if (stopping) return refuse(res, 503, 'the gateway is shutting down', 'SERVICE_UNAVAILABLE');
    const client = req.clientAddress;
    const held = perClient.get(client) ?? 0;
    if (held >= options.maxPerClient) {
      return refuse(res, 429, `a client may hold at most ${options.maxPerClient} subscriptions over HTTP at once`, 'TOO_MANY_SUBSCRIPTIONS');
    }
    perClient.set(client, held + 1);

    const context: GatewayContext = {
      requestId: req.requestId,
      traceparent: traceparentOf(req.header('traceparent')),
      identity: req.identity,
      scopes: req.scopes,
      clientAddress: client,
      client: clientApplicationOf((name) => req.header(name)),
      credentialsExpireAt: req.credentialsExpireAt,
      logger: req.log.child({ transport: protocol }),
    };
    const source = options.executor.subscribe(admitted, context);
    const pacing = { heartbeatMs: options.heartbeatMs, stalledAfterMs: options.stalledAfterMs, stop: stop.signal };
    const streaming = stream(res, framings[protocol], source, pacing, context.logger).finally(() => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else perClient.delete(client);
      open.delete(streaming);
    });
    open.add(streaming);
  };

  let stopped: Promise<void> | null = null;
  return {
    handler,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        stop.abort();
        await options.executor.endAll(null);
        await Promise.all(open);
      })();
      return stopped;
    },
  };
}

/** Writes a stream's results until it ends or the client goes away; the latter ends the upstream subscription. */
async function stream(
  res: Response,
  framing: Framing,
  subscribed: Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>,
  pacing: Pacing,
  logger: Logger,
): Promise<void> {
  const source = await subscribed;
  const iterator = Symbol.asyncIterator in source ? source : null;
  let clientGone = false;
  res.on('close', () => {
    if (res.writableFinished) return;
    clientGone = true;
    // Wakes the pending next() with done, and completes the subscription on the subgraph.
    void iterator?.return?.();
  });
  res.writeHead(200, {
    'content-type': framing.contentType,
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    // Stops nginx and the like from buffering the stream.
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  if (framing.start) res.write(framing.start);
  // A client that is not reading gets no heartbeat: it would pile up in the socket's buffer.
  const heartbeat = setInterval(() => res.writableNeedDrain || res.write(framing.heartbeat), pacing.heartbeatMs);
  try {
    const write = (result: ExecutionResult) => res.write(isEnding(result) ? framing.fatal(result.errors!) : framing.result(result));
    if (!iterator) {
      write(source as ExecutionResult);
      return;
    }
    for (;;) {
      const step = await iterator.next();
      if (step.done || clientGone) return;
      // Waits while the client has not taken the last event, so that events wait in the
      // subscription's bounded queue (SUBSCRIPTION_QUEUE_CAPACITY), not in the socket's buffer.
      if (!write(step.value) && !(await drained(res, pacing))) {
        // It cannot be told: what it has not read is discarded with the connection.
        res.destroy();
        return;
      }
    }
  } catch (err) {
    logger.error({ err }, 'a subscription stream failed');
    if (!clientGone) res.write(framing.fatal([gatewayError('INTERNAL_SERVER_ERROR', 'the subscription failed')]));
  } finally {
    clearInterval(heartbeat);
    if (!clientGone) res.end(framing.end);
  }
}

interface Pacing {
  heartbeatMs: number;
  stalledAfterMs: number;
  /** Aborted when the gateway stops. */
  stop: AbortSignal;
}

/**
 * True once the client has taken what was written (or has gone: the caller sees that itself);
 * false when it has taken nothing for `stalledAfterMs`, or the gateway is stopping.
 */
function drained(res: Response, pacing: Pacing): Promise<boolean> {
  if (pacing.stop.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const settle = (taken: boolean) => () => {
      clearTimeout(stall);
      res.off('drain', onDrain);
      res.off('close', onDrain);
      pacing.stop.removeEventListener('abort', onStop);
      resolve(taken);
    };
    const onDrain = settle(true);
    const onStop = settle(false);
    const stall = setTimeout(onStop, pacing.stalledAfterMs);
    res.on('drain', onDrain);
    res.on('close', onDrain);
    pacing.stop.addEventListener('abort', onStop);
  });
}

function isEnding(result: ExecutionResult): boolean {
  return !result.data && (result.errors ?? []).some((e) => endingCodes.has(String(e.extensions?.code)));
}

function refuse(res: Response, status: number, message: string, code: GatewayErrorCode): void {
  sendJson(res, status, refusalBody({ status, errors: [gatewayError(code, message)] }));
}
