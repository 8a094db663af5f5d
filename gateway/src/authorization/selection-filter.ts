import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  FragmentSpreadNode,
  getNamedType,
  getNullableType,
  GraphQLCompositeType,
  GraphQLField,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLSchema,
  InlineFragmentNode,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionNode,
  SelectionSetNode,
} from 'graphql';
import type { AccessRequirement } from './access-requirement';
import type { AuthorizationRules } from './authorization-rules';
import type { SelectionConditions } from './selection-conditions';

/** One selection taken out of the document. */
export interface Removal {
  /**
   * Where, in Router's form: field names (not aliases), `@` after a list field, `... on T`
   * for a typed fragment; `[]` for the whole operation.
   */
  path: readonly string[];
  /** Where the selection sits in the document, whatever else was removed: `operation@0.2`, `fragment F@1`. */
  position: string;
  /** False under an inactive `@skip`/`@include`: removed all the same, but not reported. */
  reported: boolean;
}

export interface FilteredFragment {
  /** Null when every selection of the fragment was removed (its spreads are removed too). */
  definition: FragmentDefinitionNode | null;
  /** Relative to a spread of the fragment. */
  removals: Removal[];
}

/** Whether the caller may see what one requirement guards. */
export type Allows = (requirement: AccessRequirement | undefined) => boolean;

interface Place {
  path: readonly string[];
  scope: string;
  index: readonly number[];
  reported: boolean;
  removals: Removal[];
}

/**
 * Removes from an operation what the caller may not see, as Apollo Router's authorization
 * plugin does (plugins/authorization/authenticated.rs, scopes.rs, policy.rs):
 * - a field goes when its own requirement, its type's, or (on an interface) that of the same
 *   field of any implementation is not met;
 * - a field of interface type that selects fields directly (not only `__typename` and
 *   fragments) goes when any implementation's type requirement is not met;
 * - a fragment goes when its type condition's requirement is not met; unlike Router, one on an
 *   abstract type that selects fields directly also needs every possible type's;
 * - a field or fragment whose selections all went goes too, without an error of its own.
 * Named fragments are filtered once, as their selections do not depend on where they are spread.
 */
export class SelectionFilter {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly filtered = new Map<string, FilteredFragment | 'visiting'>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: AuthorizationRules,
    document: DocumentNode,
    private readonly conditions: SelectionConditions,
    private readonly allows: Allows,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
  }

  /** The operation's filtered selections, null when nothing is left (or its root type is refused). */
  operation(operation: OperationDefinitionNode): { selectionSet: SelectionSetNode | null; removals: Removal[] } {
    const removals: Removal[] = [];
    const root = this.schema.getRootType(operation.operation);
    if (!root) return { selectionSet: operation.selectionSet, removals };
    if (!this.allows(this.rules.ofType(root.name))) {
      removals.push({ path: [], position: 'operation', reported: true });
      return { selectionSet: null, removals };
    }
    const place = { path: [], scope: 'operation', index: [], reported: true, removals };
    return { selectionSet: this.selectionSet(operation.selectionSet, root, place), removals };
  }

  /** A fragment's filtered definition; the original when it is spread nowhere it could be filtered. */
  fragment(name: string): FilteredFragment {
    const known = this.filtered.get(name);
    const definition = this.fragments.get(name);
    // A cycle is an invalid document that validation refuses.
    if (known === 'visiting' || !definition) return { definition: definition ?? null, removals: [] };
    if (known) return known;
    this.filtered.set(name, 'visiting');
    const condition = this.schema.getType(definition.typeCondition.name.value);
    let result: FilteredFragment = { definition, removals: [] };
    if (condition && isCompositeType(condition)) {
      const removals: Removal[] = [];
      const place = { path: [], scope: `fragment ${name}`, index: [], reported: true, removals };
      const selectionSet = this.selectionSet(definition.selectionSet, condition, place);
      result = { definition: selectionSet && (selectionSet === definition.selectionSet ? definition : { ...definition, selectionSet }), removals };
    }
    this.filtered.set(name, result);
    return result;
  }

  private selectionSet(set: SelectionSetNode, parent: GraphQLCompositeType, place: Place): SelectionSetNode | null {
    const kept: SelectionNode[] = [];
    let changed = false;
    set.selections.forEach((selection, i) => {
      const here = { ...place, index: [...place.index, i], reported: place.reported && this.conditions.includes(selection) };
      const result = this.selection(selection, parent, here);
      if (result !== selection) changed = true;
      if (result) kept.push(result);
    });
    if (!changed) return set;
    return kept.length > 0 ? { ...set, selections: kept } : null;
  }

  private selection(selection: SelectionNode, parent: GraphQLCompositeType, place: Place): SelectionNode | null {
    switch (selection.kind) {
      case Kind.FIELD:
        return this.field(selection, parent, place);
      case Kind.INLINE_FRAGMENT:
        return this.inlineFragment(selection, parent, place);
      case Kind.FRAGMENT_SPREAD:
        return this.fragmentSpread(selection, place);
    }
  }

  private field(node: FieldNode, parent: GraphQLCompositeType, place: Place): FieldNode | null {
    const name = node.name.value;
    // __typename and introspection carry no requirements, and Router never filters them.
    if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return node;
    const definition = parent.getFields()[name];
    if (!definition) return node; // validation refuses the document
    const path = [...place.path, name, ...(isListType(getNullableType(definition.type)) ? ['@'] : [])];
    if (!this.fieldAllowed(parent, definition, node)) return this.remove(place, path);
    if (!node.selectionSet) return node;
    const type = getNamedType(definition.type) as GraphQLCompositeType;
    const selectionSet = this.selectionSet(node.selectionSet, type, { ...place, path });
    if (selectionSet === node.selectionSet) return node;
    return selectionSet && { ...node, selectionSet };
  }

  private inlineFragment(node: InlineFragmentNode, parent: GraphQLCompositeType, place: Place): InlineFragmentNode | null {
    const condition = node.typeCondition ? this.schema.getType(node.typeCondition.name.value) : parent;
    if (!condition || !isCompositeType(condition)) return node;
    const path = node.typeCondition ? [...place.path, `... on ${condition.name}`] : place.path;
    if (!this.typeAllowed(condition, node.selectionSet)) return this.remove(place, path);
    const selectionSet = this.selectionSet(node.selectionSet, condition, { ...place, path });
    if (selectionSet === node.selectionSet) return node;
    return selectionSet && { ...node, selectionSet };
  }

  private fragmentSpread(node: FragmentSpreadNode, place: Place): FragmentSpreadNode | null {
    const definition = this.fragments.get(node.name.value);
    const condition = definition && this.schema.getType(definition.typeCondition.name.value);
    if (!definition || !condition || !isCompositeType(condition)) return node;
    if (!this.typeAllowed(condition, definition.selectionSet)) {
      return this.remove(place, [...place.path, `... on ${condition.name}`]);
    }
    const filtered = this.fragment(node.name.value);
    // Router reports a named fragment's removals at each spread, without the `... on T` step.
    for (const removal of filtered.removals) {
      place.removals.push({ ...removal, path: [...place.path, ...removal.path], reported: place.reported && removal.reported });
    }
    return filtered.definition ? node : null;
  }

  private fieldAllowed(parent: GraphQLCompositeType, definition: GraphQLField<unknown, unknown>, node: FieldNode): boolean {
    const name = definition.name;
    if (!this.fieldOfTypeAllowed(parent.name, definition)) return false;
    // An interface field is served by whichever implementation the object is.
    if (isInterfaceType(parent)) {
      for (const implementation of this.implementations(parent)) {
        const field = implementation.getFields()[name];
        if (field && !this.fieldOfTypeAllowed(implementation.name, field)) return false;
      }
    }
    const type = getNamedType(definition.type);
    if (isInterfaceType(type) && selectsFields(node.selectionSet)) {
      for (const implementation of this.implementations(type)) {
        if (!this.allows(this.rules.ofType(implementation.name))) return false;
      }
    }
    return true;
  }

  private fieldOfTypeAllowed(typeName: string, field: GraphQLField<unknown, unknown>): boolean {
    return this.allows(this.rules.ofField(typeName, field.name)) && this.allows(this.rules.ofType(getNamedType(field.type).name));
  }

  private typeAllowed(condition: GraphQLCompositeType, selectionSet: SelectionSetNode): boolean {
    if (!this.allows(this.rules.ofType(condition.name))) return false;
    if (!isAbstractType(condition) || !selectsFields(selectionSet)) return true;
    return this.schema.getPossibleTypes(condition).every((type) => this.allows(this.rules.ofType(type.name)));
  }

  private implementations(type: GraphQLInterfaceType): readonly (GraphQLObjectType | GraphQLInterfaceType)[] {
    const { objects, interfaces } = this.schema.getImplementations(type);
    return [...objects, ...interfaces];
  }

  private remove(place: Place, path: readonly string[]): null {
    place.removals.push({ path, position: `${place.scope}@${place.index.join('.')}`, reported: place.reported });
    return null;
  }
}

function selectsFields(selectionSet: SelectionSetNode | undefined): boolean {
  return !!selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value !== '__typename');
}
