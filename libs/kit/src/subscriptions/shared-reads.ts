/**
 * Reads that callers asking for the same key at the same time share: one database read
 * instead of one per subscriber. The key decides what may be shared; a read is forgotten
 * once it settles, so a later caller always reads again. Its result goes to every caller
 * that shared it: read it, never change it.
 */
export class SharedReads<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    // Started on the next microtask, so that even a load that throws at once is forgotten after it is stored.
    const read = Promise.resolve()
      .then(load)
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, read);
    return read;
  }

  /** Whether a read of `key` is in flight now: a `read` of it would share it. */
  has(key: string): boolean {
    return this.inFlight.has(key);
  }

  /** Reads in flight, for tests. */
  get size(): number {
    return this.inFlight.size;
  }
}
