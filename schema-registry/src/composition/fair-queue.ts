/** Which limit refused an item: the whole queue's, or its lane's share of it. */
export type QueueRefusal = 'queue-full' | 'lane-full';

/**
 * A bounded queue served round-robin across lanes (one lane per caller), FIFO within a lane: one
 * caller's burst does not hold up another's single item, and no lane may hold more than its share
 * of the queue, so one caller cannot fill it and leave every other caller refused.
 */
export class FairQueue<T> {
  // A Map iterates in insertion order: the first lane is the next to serve, a served lane moves to the back.
  private readonly lanes = new Map<string, T[]>();
  private count = 0;

  constructor(
    readonly capacity: number,
    readonly laneCapacity = capacity,
  ) {
    if (!(capacity >= 1) || !(laneCapacity >= 1)) throw new Error('a queue and each of its lanes need a capacity of at least 1');
  }

  get length(): number {
    return this.count;
  }

  /** Null once queued; otherwise the limit that refused it (the caller refuses the work instead of holding it). */
  push(lane: string, item: T): QueueRefusal | null {
    if (this.count >= this.capacity) return 'queue-full';
    const queue = this.lanes.get(lane);
    if (queue && queue.length >= this.laneCapacity) return 'lane-full';
    if (queue) queue.push(item);
    else this.lanes.set(lane, [item]);
    this.count++;
    return null;
  }

  /**
   * Queues an item that continues work already admitted (the next step of a task under way) first
   * in its lane and past both limits: refusing it would throw away the work it follows, and there
   * are never more of them than tasks admitted.
   */
  pushFirst(lane: string, item: T): void {
    const queue = this.lanes.get(lane);
    if (queue) queue.unshift(item);
    else this.lanes.set(lane, [item]);
    this.count++;
  }

  /** Takes a queued item out (its requester has gone); false if it is not queued (served already). */
  remove(lane: string, item: T): boolean {
    const queue = this.lanes.get(lane);
    const at = queue ? queue.indexOf(item) : -1;
    if (!queue || at < 0) return false;
    queue.splice(at, 1);
    if (queue.length === 0) this.lanes.delete(lane);
    this.count--;
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
