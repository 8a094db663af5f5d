/** The label of an operation without a name. Not a GraphQL name, so no operation can take it. */
export const anonymousOperation = '(anonymous)';
/** The label of a named operation once the distinct names are used up. */
export const otherOperation = '(other)';
/** The label of a request refused before its operation validated: its name is the client's word only. */
export const unvalidatedOperation = '(unvalidated)';

/**
 * Operation names as metric labels. Names are the client's to choose, so only names of
 * operations that validated are taken, and only the first `max` distinct ones; later ones
 * share `(other)`. Trusted documents keep the set small in production anyway.
 */
export class OperationNameLabels {
  private readonly known = new Set<string>();

  constructor(private readonly max: number) {}

  labelOf(name: string | undefined): string {
    if (name === undefined) return anonymousOperation;
    if (this.known.has(name)) return name;
    if (this.known.size >= this.max) return otherOperation;
    this.known.add(name);
    return name;
  }
}
