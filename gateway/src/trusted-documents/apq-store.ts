/**
 * Automatic persisted queries registered by clients, least recently used dropped first once the
 * texts kept add up to `maxChars`: a client sending endless distinct operations cannot grow memory.
 */
export class ApqStore {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly texts = new Map<string, string>();
  private keptChars = 0;

  constructor(private readonly maxChars: number) {}

  get(id: string): string | undefined {
    const text = this.texts.get(id);
    if (text !== undefined) {
      this.texts.delete(id);
      this.texts.set(id, text);
    }
    return text;
  }

  set(id: string, text: string): void {
    if (text.length > this.maxChars) return;
    const previous = this.texts.get(id);
    if (previous !== undefined) {
      this.texts.delete(id);
      this.keptChars -= previous.length;
    }
    this.texts.set(id, text);
    this.keptChars += text.length;
    for (const [oldest, oldText] of this.texts) {
      if (this.keptChars <= this.maxChars) break;
      this.texts.delete(oldest);
      this.keptChars -= oldText.length;
    }
  }

  get size(): number {
    return this.texts.size;
  }
}
