/** Tells the other registry processes of a publish (PostgreSQL's NOTIFY), when there are others. */
export type PublishBroadcast = (key: string) => void;

/**
 * Wakes the long-polls of gateways waiting on a variant when a new supergraph is published
 * there. A publish wakes this process's long-polls at once, and with a broadcast (PostgreSQL
 * LISTEN/NOTIFY) those of every other registry process too, which call `wakeFromElsewhere`.
 * Long-polls also re-read the database every `recheckMs`, in case a notification was missed.
 */
export class SupergraphWatch {
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;
  private broadcast: PublishBroadcast | null = null;

  constructor(
    /** How often a waiting long-poll re-reads the database anyway. */
    readonly recheckMs = 2_000,
  ) {}

  /** From now on, publishes are told to the other processes as well. */
  broadcastTo(broadcast: PublishBroadcast): void {
    this.broadcast = broadcast;
  }

  /** A publish to `graphRef` made in this process. */
  notify(graphRef: string): void {
    this.wakeFromElsewhere(graphRef);
    this.broadcast?.(graphRef);
  }

  /** A publish to `graphRef` made in another process: wakes this process's long-polls only. */
  wakeFromElsewhere(graphRef: string): void {
    for (const wake of [...(this.waiters.get(graphRef) ?? [])]) wake();
  }

  /** Wakes every long-poll to re-read (after notifications may have been missed). */
  wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
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
    this.broadcast = null;
    this.wakeAll();
  }
}
