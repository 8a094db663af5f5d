import type { SubsequentResult } from '../../../engine';

/** The subsequent results of one response, in the order they complete; it ends after the one without `hasNext`. */
export class PayloadQueue implements AsyncIterable<SubsequentResult> {
  private readonly ready: SubsequentResult[] = [];
  private waiting: ((step: IteratorResult<SubsequentResult>) => void) | null = null;
  private ended = false;

  push(result: SubsequentResult): void {
    if (this.ended) return;
    if (!result.hasNext) this.ended = true;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) waiting({ value: result, done: false });
    else this.ready.push(result);
  }

  [Symbol.asyncIterator](): AsyncIterator<SubsequentResult> {
    return {
      next: () => {
        const value = this.ready.shift();
        if (value) return Promise.resolve({ value, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
      // The client went away: what is still running finishes, and is dropped.
      return: () => {
        this.ended = true;
        this.ready.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
