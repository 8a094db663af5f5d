import {
  ASTNode,
  DefinitionNode,
  DocumentNode,
  FragmentDefinitionNode,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  visit,
} from 'graphql';
import type { SelectionFilter } from './selection-filter';

/**
 * The document to plan: the operation with its filtered selections, the fragments they still
 * spread (filtered) and only the variables they still use, so that it validates against the
 * API schema. Other operations of the document are left out: only this one is planned.
 */
export function filteredDocument(
  operation: OperationDefinitionNode,
  selectionSet: SelectionSetNode,
  filter: SelectionFilter,
): DocumentNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const variables = new Set<string>();
  const collect = (nodes: readonly ASTNode[]): void => {
    for (const node of nodes) {
      visit(node, {
        FragmentSpread: (spread) => {
          const name = spread.name.value;
          const definition = fragments.has(name) ? null : filter.fragment(name).definition;
          if (!definition) return;
          fragments.set(name, definition);
          collect([definition.selectionSet, ...(definition.directives ?? [])]);
        },
        Variable: (variable) => {
          variables.add(variable.name.value);
        },
      });
    }
  };
  collect([selectionSet, ...(operation.directives ?? [])]);
  const kept: OperationDefinitionNode = {
    ...operation,
    selectionSet,
    variableDefinitions: operation.variableDefinitions?.filter((v) => variables.has(v.variable.name.value)),
  };
  const definitions: DefinitionNode[] = [kept, ...fragments.values()];
  return { kind: Kind.DOCUMENT, definitions };
}
