/**
 * Wakes the long-polls of gateways waiting on a variant when a new supergraph is published
 * there. In-process only: long-polls also re-read the database every few seconds, so a
 * registry with several instances still delivers, a little later.
 */
export class SupergraphWatch {
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  notify(graphRef: string): void {
    for (const wake of this.waiters.get(graphRef) ?? []) wake();
  }

  /** Resolves on a publish to `graphRef`, after `ms`, when `signal` aborts, or when the watch closes. */
  wait(graphRef: string, ms: number, signal: AbortSignal): Promise<void> {
    if (this.closed || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.waiters.get(graphRef) ?? new Set();
      this.waiters.set(graphRef, set);
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(graphRef) === set) this.waiters.delete(graphRef);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal.addEventListener('abort', wake);
      set.add(wake);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Ends every wait now, so a shutdown is not held up by long-polls. */
  close(): void {
    this.closed = true;
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }
}
