/** The queue held more values than its capacity: its consumer takes them slower than they come. */
export class QueueOverflowError extends Error {
  constructor(readonly capacity: number) {
    super(`more than ${capacity} events were waiting for the client`);
    this.name = 'QueueOverflowError';
  }
}

/**
 * Values pushed by callbacks, pulled by an async iterator; ends or fails after what was pushed.
 * It holds at most `capacity` values: one more drops them all and fails it with
 * `QueueOverflowError`, so a consumer that stops pulling costs a bounded amount of memory.
 */
export class EventQueue<T> {
  private values: T[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly capacity: number = Infinity) {}

  /** False when the value overflowed the queue, which is now failed. */
  push(value: T): boolean {
    if (this.ended) return true;
    if (this.values.length >= this.capacity) {
      this.values = [];
      this.fail(new QueueOverflowError(this.capacity));
      return false;
    }
    this.values.push(value);
    this.notify();
    return true;
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
