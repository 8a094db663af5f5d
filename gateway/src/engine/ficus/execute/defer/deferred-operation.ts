import {
  ArgumentNode,
  DirectiveNode,
  DocumentNode,
  FragmentDefinitionNode,
  getNamedType,
  getOperationAST,
  GraphQLCompositeType,
  GraphQLSchema,
  InlineFragmentNode,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionNode,
  SelectionSetNode,
  valueFromASTUntyped,
  visit,
} from 'graphql';

/** One deferred fragment of an operation, where it is and what it selects. */
export interface DeferredFragment {
  /** The label it is planned under (ours, unique in the operation). */
  id: string;
  /** The client's label, which its payloads carry. */
  label: string | null;
  /** Response names from the root to the object the fragment completes (lists are walked). */
  parentPath: readonly string[];
  parentType: GraphQLCompositeType;
  typeCondition: string | null;
  /** The fragment alone, as an operation over its parent object: what its payloads are shaped by. */
  selection: OperationDefinitionNode;
}

/**
 * An operation with an active @defer, made ready to plan and shape: fragment spreads inlined,
 * each active @defer labelled with an id of ours (its client label kept aside), inactive ones
 * (`if: false`, or on a fragment @skip/@include leaves out) removed.
 */
export interface DeferredOperation {
  /** To plan: the operation with our labels. */
  document: DocumentNode;
  /** The initial result's shape: the operation without its deferred fragments. */
  initial: { document: DocumentNode; operation: OperationDefinitionNode };
  fragments: ReadonlyMap<string, DeferredFragment>;
}

/**
 * Which @defer occurrences of a document are active for these variables, as a key (''
 * when none is): one document with one key always makes the same deferred operation.
 */
export function activeDeferKey(document: DocumentNode, variables: Record<string, unknown>): string {
  let key = '';
  let any = false;
  const fragment = (node: { directives?: readonly DirectiveNode[] }) => {
    const defer = node.directives?.find((d) => d.name.value === 'defer');
    if (!defer) return;
    const active = deferActive(defer, variables) && included(node.directives!, variables);
    any ||= active;
    key += active ? '1' : '0';
  };
  visit(document, { InlineFragment: fragment, FragmentSpread: fragment });
  return any ? key : '';
}

export function deferredOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | null, variables: Record<string, unknown>): DeferredOperation {
  const operation = getOperationAST(document, operationName);
  if (!operation) throw new Error('the document has no such operation');
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) throw new Error(`the schema has no ${operation.operation} type`);
  const definitions = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) definitions.set(definition.name.value, definition);

  const fragments = new Map<string, DeferredFragment>();
  let next = 0;
  const label = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, path: readonly string[]): SelectionSetNode => ({
    ...selectionSet,
    selections: selectionSet.selections.map((selection): SelectionNode => {
      if (selection.kind === Kind.FIELD) {
        // A union's selections are fragments and __typename: a field with a selection set has an object or interface parent.
        if (!selection.selectionSet || !(isObjectType(parentType) || isInterfaceType(parentType))) return selection;
        const field = parentType.getFields()[selection.name.value];
        const type = field ? getNamedType(field.type) : undefined;
        if (!type || !isCompositeType(type)) return selection;
        return { ...selection, selectionSet: label(selection.selectionSet, type, [...path, selection.alias?.value ?? selection.name.value]) };
      }
      const inline = selection.kind === Kind.INLINE_FRAGMENT ? selection : inlined(selection, definitions);
      const conditionType = inline.typeCondition ? schema.getType(inline.typeCondition.name.value) : parentType;
      const innerType = conditionType && isCompositeType(conditionType) ? conditionType : parentType;
      const defer = inline.directives?.find((d) => d.name.value === 'defer');
      const others = (inline.directives ?? []).filter((d) => d !== defer);
      if (!defer || !deferActive(defer, variables) || !included(others, variables)) {
        return { ...inline, directives: others, selectionSet: label(inline.selectionSet, innerType, path) };
      }
      const id = `d${next++}`;
      const labelled: InlineFragmentNode = {
        ...inline,
        directives: [...others, deferDirective(id)],
        selectionSet: label(inline.selectionSet, innerType, path),
      };
      fragments.set(id, {
        id,
        label: deferLabel(defer, variables),
        parentPath: path,
        parentType,
        typeCondition: inline.typeCondition?.name.value ?? null,
        selection: selectionOperation({ ...labelled, directives: others, selectionSet: withoutDeferred(labelled.selectionSet) }),
      });
      return labelled;
    }),
  });
  const labelledOperation: OperationDefinitionNode = { ...operation, selectionSet: label(operation.selectionSet, rootType, []) };
  const initialOperation: OperationDefinitionNode = { ...labelledOperation, selectionSet: withoutDeferred(labelledOperation.selectionSet) };
  return {
    document: { kind: Kind.DOCUMENT, definitions: [labelledOperation] },
    initial: { document: { kind: Kind.DOCUMENT, definitions: [initialOperation] }, operation: initialOperation },
    fragments,
  };
}

/** `...F @d` as `... on T @d { F's selections }`. */
function inlined(spread: Extract<SelectionNode, { kind: Kind.FRAGMENT_SPREAD }>, definitions: ReadonlyMap<string, FragmentDefinitionNode>): InlineFragmentNode {
  const definition = definitions.get(spread.name.value);
  if (!definition) throw new Error(`unknown fragment "${spread.name.value}"`);
  return { kind: Kind.INLINE_FRAGMENT, typeCondition: definition.typeCondition, directives: spread.directives, selectionSet: definition.selectionSet };
}

/** The selection set without the deferred fragments in it (they are labelled by now). */
function withoutDeferred(selectionSet: SelectionSetNode): SelectionSetNode {
  const selections: SelectionNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selection.directives?.some((d) => d.name.value === 'defer')) continue;
      selections.push({ ...selection, selectionSet: withoutDeferred(selection.selectionSet) });
    } else if (selection.kind === Kind.FIELD && selection.selectionSet) {
      selections.push({ ...selection, selectionSet: withoutDeferred(selection.selectionSet) });
    } else {
      selections.push(selection);
    }
  }
  return { ...selectionSet, selections };
}

function selectionOperation(fragment: InlineFragmentNode): OperationDefinitionNode {
  return { kind: Kind.OPERATION_DEFINITION, operation: 'query' as OperationDefinitionNode['operation'], selectionSet: { kind: Kind.SELECTION_SET, selections: [fragment] } };
}

function deferDirective(id: string): DirectiveNode {
  const argument: ArgumentNode = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'label' }, value: { kind: Kind.STRING, value: id } };
  return { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'defer' }, arguments: [argument] };
}

function argument(directive: DirectiveNode, name: string, variables: Record<string, unknown>): unknown {
  const node = directive.arguments?.find((a) => a.name.value === name);
  return node ? valueFromASTUntyped(node.value, variables) : undefined;
}

/** `@defer(if:)` defaults to true. */
function deferActive(directive: DirectiveNode, variables: Record<string, unknown>): boolean {
  return argument(directive, 'if', variables) !== false;
}

function deferLabel(directive: DirectiveNode, variables: Record<string, unknown>): string | null {
  const value = argument(directive, 'label', variables);
  return typeof value === 'string' ? value : null;
}

function included(directives: readonly DirectiveNode[], variables: Record<string, unknown>): boolean {
  for (const directive of directives) {
    if (directive.name.value === 'skip' && argument(directive, 'if', variables) === true) return false;
    if (directive.name.value === 'include' && argument(directive, 'if', variables) === false) return false;
  }
  return true;
}
