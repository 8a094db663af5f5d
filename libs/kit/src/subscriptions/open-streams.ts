/**
 * The subscription streams a service is serving. Shutdown ends each one (the protocol then
 * sends the client `complete`) instead of cutting sockets, and the count is a metric, so a
 * leak shows.
 */
export class OpenStreams {
  private readonly streams = new Set<AsyncIterator<unknown>>();

  get size(): number {
    return this.streams.size;
  }

  /** Wraps a stream so that it is forgotten once it ends, however it ends. */
  track<T>(stream: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
    const streams = this.streams;
    const tracked: AsyncIterableIterator<T> = {
      async next() {
        try {
          const result = await stream.next();
          if (result.done) streams.delete(tracked);
          return result;
        } catch (err) {
          streams.delete(tracked);
          throw err;
        }
      },
      async return(value?: unknown) {
        streams.delete(tracked);
        return (await stream.return?.(value)) ?? { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    streams.add(tracked);
    return tracked;
  }

  /** Ends every open stream. */
  async endAll(): Promise<void> {
    await Promise.all([...this.streams].map((stream) => stream.return?.()));
  }
}
