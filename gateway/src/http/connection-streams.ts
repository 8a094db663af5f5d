import type { ExecutionResult } from 'graphql';

type Stream = AsyncIterableIterator<ExecutionResult>;

/**
 * The subscription streams each graphql-ws connection has open, kept by the gateway rather than
 * by graphql-ws alone. graphql-ws keeps one stream per operation id, and a client that completes
 * an operation while it starts or ends and subscribes again with its id can leave a stream in no
 * slot: graphql-ws would never end it, nor its upstream subscription, not even when the socket
 * closes. Here every stream counts toward the connection's limit and ends with the connection.
 */
export class ConnectionStreams {
  private readonly open = new WeakMap<object, Set<Stream>>();
  private readonly connectionOf = new WeakMap<object, object>();

  /** The operation run with `context` belongs to `connection`. */
  bind(context: object, connection: object): void {
    this.connectionOf.set(context, connection);
  }

  /** Keeps a subscription's stream with its connection until it finishes; a single result passes through. */
  track(context: object, result: Stream | ExecutionResult): Stream | ExecutionResult {
    const connection = this.connectionOf.get(context);
    if (!connection || !(Symbol.asyncIterator in result)) return result;
    let streams = this.open.get(connection);
    if (!streams) this.open.set(connection, (streams = new Set()));
    const held = streams;
    const stream = result;
    held.add(stream);
    const forget = () => held.delete(stream);
    const tracked: Stream = {
      async next() {
        const step = await stream.next();
        if (step.done) forget();
        return step;
      },
      async return(value?: unknown) {
        forget();
        return stream.return ? stream.return(value) : { value: undefined, done: true };
      },
      async throw(error?: unknown) {
        forget();
        if (stream.throw) return stream.throw(error);
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return tracked;
  }

  count(connection: object): number {
    return this.open.get(connection)?.size ?? 0;
  }

  /** Ends every stream the connection still has: it closed. */
  async endAll(connection: object): Promise<void> {
    const streams = [...(this.open.get(connection) ?? [])];
    this.open.delete(connection);
    await Promise.all(streams.map((stream) => stream.return?.()));
  }
}
