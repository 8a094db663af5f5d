import { DirectiveNode, DocumentNode, FragmentDefinitionNode, getOperationAST, Kind, SelectionSetNode } from 'graphql';

/**
 * Whether every root selection of the operation is left out by a literal `@skip(if: true)` or
 * `@include(if: false)`, directly or through the fragments it spreads. graphql-js executes such an
 * operation to `{}`, and so do Apollo Router and Hive Gateway; Hive's planner refuses to plan it.
 * Conditions read from variables are the plan's to decide, since a plan serves every request.
 */
export function selectsNothing(document: DocumentNode, operationName: string | null): boolean {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const empty = (selectionSet: SelectionSetNode, spread: ReadonlySet<string>): boolean =>
    selectionSet.selections.every((selection) => {
      if (leftOut(selection.directives)) return true;
      if (selection.kind === Kind.FIELD) return false;
      if (selection.kind === Kind.INLINE_FRAGMENT) return empty(selection.selectionSet, spread);
      const fragment = fragments.get(selection.name.value);
      // A validated document has neither unknown nor cyclic spreads; a guard costs nothing.
      if (!fragment || spread.has(fragment.name.value)) return false;
      return empty(fragment.selectionSet, new Set(spread).add(fragment.name.value));
    });
  return empty(operation.selectionSet, new Set());
}

function leftOut(directives: readonly DirectiveNode[] | undefined): boolean {
  return (directives ?? []).some((directive) => {
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    if (condition?.kind !== Kind.BOOLEAN) return false;
    return (directive.name.value === 'skip' && condition.value) || (directive.name.value === 'include' && !condition.value);
  });
}
