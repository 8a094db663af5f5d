import type { FormattedExecutionResult } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

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

export interface SubgraphSubscriptionOptions {
  subgraph: string;
  /** The subgraph's routing URL (http or https); the same path serves graphql-ws. */
  url: string;
  query: string;
  variables: Record<string, unknown>;
  /** Sent in `connection_init` as `{ headers }`: the subgraph reads the caller's identity there. */
  headers: Record<string, string>;
  /** Ping interval; no pong within it drops the socket. */
  keepAliveMs: number;
}

/**
 * One subscription to one subgraph over graphql-ws (a socket of its own, closed when the
 * subscription ends). Yields each `next` payload; completes when the subgraph completes;
 * rejects `next()` with `SubgraphSubscriptionLostError` when the socket drops. `return()`
 * sends the subgraph `complete` at once.
 */
export function openSubgraphSubscription(options: SubgraphSubscriptionOptions): AsyncIterableIterator<FormattedExecutionResult> {
  const queue = new EventQueue<FormattedExecutionResult>();
  let pongWait: NodeJS.Timeout | undefined;
  const client = createClient({
    url: options.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { headers: options.headers },
    lazy: true,
    retryAttempts: 0,
    keepAlive: options.keepAliveMs,
    on: {
      // graphql-ws pings but never gives up on a silent peer by itself (its documented recipe):
      // a subgraph host that vanished without closing the socket is noticed here.
      ping: (received) => {
        if (!received) pongWait = setTimeout(() => client.terminate(), options.keepAliveMs);
      },
      pong: (received) => {
        if (received) clearTimeout(pongWait);
      },
      closed: () => clearTimeout(pongWait),
    },
  });
  const unsubscribe = client.subscribe(
    { query: options.query, variables: options.variables },
    {
      next: (value) => queue.push(value as FormattedExecutionResult),
      error: (err) => {
        if (Array.isArray(err)) {
          // An `error` message: the subgraph refused the operation; not a lost connection.
          queue.push({ errors: err });
          queue.end();
          return;
        }
        queue.fail(new SubgraphSubscriptionLostError(options.subgraph, describe(err)));
      },
      complete: () => queue.end(),
    },
  );
  const close = () => {
    clearTimeout(pongWait);
    unsubscribe();
    void client.dispose();
  };
  return {
    async next() {
      try {
        const result = await queue.next();
        if (result.done) close();
        return result;
      } catch (err) {
        close();
        throw err;
      }
    },
    async return() {
      close();
      queue.end();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  const event = err as { code?: number; reason?: string };
  if (typeof event?.code === 'number') return `socket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`;
  return 'socket error';
}

/** Values pushed by callbacks, pulled by an async iterator; ends or fails after what was pushed. */
class EventQueue<T> {
  private readonly values: T[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  push(value: T): void {
    if (this.ended) return;
    this.values.push(value);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.failure = error;
    this.ended = true;
    this.notify();
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      const value = this.values.shift();
      if (value !== undefined) return { value, done: false };
      if (this.failure) throw this.failure;
      if (this.ended) return { value: undefined, done: true };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    this.wake?.();
    this.wake = null;
  }
}
