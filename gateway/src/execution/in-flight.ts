/**
 * Shares one run of a computation among the callers that ask for the same key while it is
 * running. Nothing is kept once it settles, so a later caller always gets a fresh run.
 */
export class InFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** Runs in flight now. */
  get size(): number {
    return this.running.size;
  }

  run(key: string, compute: () => Promise<T>): Promise<T> {
    const running = this.running.get(key);
    if (running) return running;
    const started = compute().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
