/**
 * Plans by key (operation text, operation name, what authorization removed, the @override
 * labels in force), least recently used first out. Concurrent misses of one key share one
 * planning; a failed planning is not kept.
 */
export class PlanCache<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {}

  get(key: string, plan: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const planned = plan();
    this.entries.set(key, planned);
    planned.catch(() => {
      if (this.entries.get(key) === planned) this.entries.delete(key);
    });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return planned;
  }

  get size(): number {
    return this.entries.size;
  }
}
