/**
 * A bounded queue served round-robin across lanes (one lane per caller and graph), FIFO within a
 * lane: one caller's burst of checks does not hold up another's single one.
 */
export class FairQueue<T> {
  // A Map iterates in insertion order: the first lane is the next to serve, a served lane moves to the back.
  private readonly lanes = new Map<string, T[]>();
  private count = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('a queue needs a capacity of at least 1');
  }

  get length(): number {
    return this.count;
  }

  /** False when the queue is full: the caller refuses the work instead of holding it. */
  push(lane: string, item: T): boolean {
    if (this.count >= this.capacity) return false;
    const queue = this.lanes.get(lane);
    if (queue) queue.push(item);
    else this.lanes.set(lane, [item]);
    this.count++;
    return true;
  }

  shift(): T | undefined {
    for (const [lane, queue] of this.lanes) {
      const item = queue.shift() as T;
      this.lanes.delete(lane);
      if (queue.length > 0) this.lanes.set(lane, queue);
      this.count--;
      return item;
    }
    return undefined;
  }
}
