import { DocumentNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';

/** What an operation's shape measures, in Apollo Router's terms, plus the directives on one field. */
export interface OperationMeasures {
  /** Deepest nesting of fields: `{ a { b } }` has depth 2. */
  depth: number;
  /**
   * Fields counted once per response name within each selection set, summed over every
   * selection set, fragments included (Router's height: `{ a { x } a { y } }` has height 3).
   */
  height: number;
  /** Fields selected under an alias. */
  aliases: number;
  /** Distinct response names at the top level, through fragments too (as Router documents it). */
  rootFields: number;
  /** The most directives on one field, fragment spread, inline fragment or the operation itself. */
  directivesPerField: number;
}

const none: OperationMeasures = { depth: 0, height: 0, aliases: 0, rootFields: 0, directivesPerField: 0 };

/**
 * Measures the operation `operationName` selects (the only one when it is omitted), following
 * fragment spreads. Each fragment is measured once and reused, so a fragment bomb costs linear
 * time; a spread that cycles back to a fragment being measured counts nothing, since this runs
 * before validation (which refuses cycles). A name that selects no operation measures zero:
 * validation refuses it afterwards.
 */
export function measureOperation(document: DocumentNode, operationName?: string | null): OperationMeasures {
  const operation = selectOperation(document, operationName);
  if (!operation) return none;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(definition.name.value)) {
      fragments.set(definition.name.value, definition);
    }
  }
  const measured = new FragmentMeasures(fragments).of(operation.selectionSet);
  return { ...measured, directivesPerField: Math.max(measured.directivesPerField, operation.directives?.length ?? 0) };
}

function selectOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | null {
  let found: OperationDefinitionNode | null = null;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName) {
      if (definition.name?.value === operationName) return definition;
    } else {
      if (found) return null;
      found = definition;
    }
  }
  return found;
}

const inProgress = Symbol('in progress');

/**
 * Spreads nested in spreads beyond this are not followed: each counts as a level of depth, so the
 * operation is over any sane MAX_DEPTH, and the walk stays far from the stack's end.
 */
export const maxSpreadNesting = 1_000;

class FragmentMeasures {
  private readonly measured = new Map<string, OperationMeasures | typeof inProgress>();
  private spreadNesting = 0;

  constructor(private readonly fragments: Map<string, FragmentDefinitionNode>) {}

  of(selectionSet: SelectionSetNode): OperationMeasures {
    const counts = { ...none };
    const responseNames = new Set<string>();
    for (const selection of selectionSet.selections) {
      counts.directivesPerField = Math.max(counts.directivesPerField, selection.directives?.length ?? 0);
      let nested: OperationMeasures;
      if (selection.kind === Kind.FIELD) {
        nested = selection.selectionSet ? this.of(selection.selectionSet) : none;
        counts.depth = Math.max(counts.depth, nested.depth + 1);
        if (selection.alias) counts.aliases++;
        const responseName = selection.alias?.value ?? selection.name.value;
        if (!responseNames.has(responseName)) {
          responseNames.add(responseName);
          counts.height++;
          counts.rootFields++;
        }
      } else {
        nested = selection.kind === Kind.INLINE_FRAGMENT ? this.of(selection.selectionSet) : this.ofFragment(selection.name.value);
        counts.depth = Math.max(counts.depth, nested.depth);
        // A fragment's top-level fields are fields of this selection set.
        counts.rootFields += nested.rootFields;
      }
      counts.height += nested.height;
      counts.aliases += nested.aliases;
      counts.directivesPerField = Math.max(counts.directivesPerField, nested.directivesPerField);
    }
    return counts;
  }

  private ofFragment(name: string): OperationMeasures {
    const known = this.measured.get(name);
    if (known === inProgress) return none;
    if (known) return known;
    const fragment = this.fragments.get(name);
    if (!fragment) return none;
    if (this.spreadNesting >= maxSpreadNesting) return { ...none, depth: maxSpreadNesting + 1 };
    this.measured.set(name, inProgress);
    this.spreadNesting++;
    const measures = this.of(fragment.selectionSet);
    this.spreadNesting--;
    const withOwnDirectives = { ...measures, directivesPerField: Math.max(measures.directivesPerField, fragment.directives?.length ?? 0) };
    this.measured.set(name, withOwnDirectives);
    return withOwnDirectives;
  }
}
