import { RequestSignature, signatureHeader } from '@ficus/kit/service';
import type { FormattedExecutionResult } from 'graphql';
import type { Client } from 'graphql-ws';
import type WebSocketClass from 'ws';
import { EventQueue } from './event-queue';

/** The subgraph's socket closed or stopped answering pings while its subscription was open. */
export class SubgraphSubscriptionLostError extends Error {
  constructor(
    readonly subgraph: string,
    detail: string,
  ) {
    super(`the subscription to subgraph "${subgraph}" was lost: ${detail}`);
    this.name = 'SubgraphSubscriptionLostError';
  }
}

export interface SubgraphSubscriptionRequest {
  subgraph: string;
  /** The subgraph's routing URL (http or https); the same path serves graphql-ws. */
  url: string;
  query: string;
  variables: Record<string, unknown>;
  /**
   * The caller's identity, address and request id, sent with this one operation as
   * `extensions.headers` (signed with it, given a signer): the socket is shared by every
   * caller, so the subgraph authorises each subscription by these.
   */
  headers: Record<string, string>;
}

/**
 * Subscriptions to subgraphs over graphql-ws, multiplexed: one socket per subgraph URL carries
 * every client subscription to it, opened on the first and closed after the last. A socket
 * costs a TCP connection, buffers and pings; a subscription on a shared one costs an id.
 */
export class SubgraphSubscriptionClient {
  private readonly sockets = new Map<string, Client>();

  constructor(
    /** Ping interval; no pong within it drops the socket and fails its subscriptions. */
    private readonly keepAliveMs: number,
    /** Signs each subscribe over its operation and headers; null sends them unsigned. */
    private readonly signer: RequestSignature | null = null,
    /** Events one subscription may have waiting for its client; one more ends it (`QueueOverflowError`). */
    private readonly queueCapacity: number = Infinity,
  ) {}

  /** Sockets open or opening now. */
  get socketCount(): number {
    return this.sockets.size;
  }

  /**
   * Yields each `next` payload; completes when the subgraph completes; rejects `next()` with
   * `SubgraphSubscriptionLostError` when the socket drops, and with `QueueOverflowError` when
   * more events wait than the queue's capacity. `return()` sends the subgraph
   * `complete` at once.
   */
  subscribe(request: SubgraphSubscriptionRequest): AsyncIterableIterator<FormattedExecutionResult> {
    const queue = new EventQueue<FormattedExecutionResult>(this.queueCapacity);
    const operation = { query: request.query, variables: request.variables };
    // Signed per operation, so a captured subscribe is good for this operation alone.
    const headers = this.signer
      ? { ...request.headers, [signatureHeader]: this.signer.signOperation({ ...operation, headers: request.headers }) }
      : request.headers;
    const unsubscribe = this.socketFor(request.url).subscribe(
      { ...operation, extensions: { headers } },
      {
        next: (value) => {
          // The client stopped taking events: the subgraph stops sending them now, not when the
          // client comes back for the error.
          if (!queue.push(value as FormattedExecutionResult)) unsubscribe();
        },
        error: (err) => {
          if (Array.isArray(err)) {
            // An `error` message: the subgraph refused the operation; not a lost connection.
            queue.push({ errors: err });
            queue.end();
            return;
          }
          queue.fail(new SubgraphSubscriptionLostError(request.subgraph, describe(err)));
        },
        complete: () => queue.end(),
      },
    );
    return {
      async next() {
        try {
          const result = await queue.next();
          if (result.done) unsubscribe();
          return result;
        } catch (err) {
          unsubscribe();
          throw err;
        }
      },
      async return() {
        unsubscribe();
        queue.end();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Closes every socket; their open subscriptions fail as lost. */
  async close(): Promise<void> {
    const clients = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(clients.map((client) => client.dispose()));
  }

  private socketFor(url: string): Client {
    const existing = this.sockets.get(url);
    if (existing) return existing;
    // Loaded with the first subscription to a subgraph: a gateway that serves none does not hold them.
    const { createClient } = require('graphql-ws') as typeof import('graphql-ws');
    const WebSocket = require('ws') as typeof WebSocketClass;
    let pongWait: NodeJS.Timeout | undefined;
    const client: Client = createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: true,
      // A dropped socket fails its subscriptions (the client resubscribes); the next subscribe opens a new one.
      retryAttempts: 0,
      keepAlive: this.keepAliveMs,
      on: {
        // graphql-ws pings but never gives up on a silent peer by itself (its documented recipe):
        // a subgraph host that vanished without closing the socket is noticed here.
        ping: (received) => {
          if (!received) pongWait = setTimeout(() => client.terminate(), this.keepAliveMs);
        },
        pong: (received) => {
          if (received) clearTimeout(pongWait);
        },
        closed: () => {
          clearTimeout(pongWait);
          if (this.sockets.get(url) === client) this.sockets.delete(url);
        },
      },
    });
    this.sockets.set(url, client);
    return client;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  const event = err as { code?: number; reason?: string };
  if (typeof event?.code === 'number') return `socket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`;
  return 'socket error';
}
