import { FragmentDefinitionNode, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';

/**
 * How deeply the operation nests fields (a root field is depth 1); fragments count where they
 * are spread. Each fragment is measured once, so a document spreading fragments into each
 * other many times costs no more than its size; a fragment cycle (refused by validation
 * anyway) counts as nothing more.
 */
export function operationDepth(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): number {
  const measured = new Map<string, number>();
  const measuring = new Set<string>();

  const depthOf = (selectionSet: SelectionSetNode): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        deepest = Math.max(deepest, 1 + (selection.selectionSet ? depthOf(selection.selectionSet) : 0));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet));
      } else {
        deepest = Math.max(deepest, fragmentDepth(selection.name.value));
      }
    }
    return deepest;
  };

  const fragmentDepth = (name: string): number => {
    const known = measured.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || measuring.has(name)) return 0;
    measuring.add(name);
    const depth = depthOf(fragment.selectionSet);
    measuring.delete(name);
    measured.set(name, depth);
    return depth;
  };

  return depthOf(operation.selectionSet);
}
