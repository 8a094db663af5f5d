import { normalizedDocument, tokenCount } from './normalize';

/** One operation of a persisted query list, as an Apollo manifest lists it. */
export interface ListedOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

/** A request text that matched the list: the listed operation's id. */
export interface ListedMatch {
  id: string;
}

// A request with more tokens than every listed body cannot equal one of them; a little slack for what printing may add.
const tokenSlack = 16;

/**
 * A persisted query list held for lookups: by id, and by body (exact text first, then normalised
 * as Apollo Router's safelist compares). Immutable: a new list replaces it in one assignment.
 */
export class OperationList {
  private readonly byId = new Map<string, ListedOperation>();
  private readonly byExactBody = new Map<string, string>();
  private readonly byNormalizedBody = new Map<string, string>();
  /** The most tokens of any listed body: a request text is parsed no further than this. */
  readonly maxTokens: number;

  /** `revision` names the list (the registry's list id, or the file it came from). */
  constructor(
    readonly revision: string,
    operations: readonly ListedOperation[],
  ) {
    let maxTokens = 0;
    for (const operation of operations) {
      this.byId.set(operation.id, operation);
      this.byExactBody.set(operation.body, operation.id);
      const normalized = normalizedDocument(operation.body, Number.MAX_SAFE_INTEGER);
      if (normalized) this.byNormalizedBody.set(normalized.normalized, operation.id);
      maxTokens = Math.max(maxTokens, tokenCount(operation.body));
    }
    this.maxTokens = maxTokens + tokenSlack;
  }

  static readonly empty = new OperationList('empty', []);

  get size(): number {
    return this.byId.size;
  }

  operation(id: string): ListedOperation | undefined {
    return this.byId.get(id);
  }

  /** The listed operation whose body this text is, exactly or once normalised; null if none. */
  match(text: string): ListedMatch | null {
    const exact = this.byExactBody.get(text);
    if (exact !== undefined) return { id: exact };
    if (this.byNormalizedBody.size === 0) return null;
    const normalized = normalizedDocument(text, this.maxTokens);
    const id = normalized && this.byNormalizedBody.get(normalized.normalized);
    return id ? { id } : null;
  }
}
