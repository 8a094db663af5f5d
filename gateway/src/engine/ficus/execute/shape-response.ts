import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getDirectiveValues,
  GraphQLCompositeType,
  GraphQLEnumType,
  GraphQLIncludeDirective,
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLSchema,
  GraphQLSkipDirective,
  isAbstractType,
  isEnumType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isSpecifiedScalarType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  visit,
  BREAK,
} from 'graphql';
import type { ResponseError } from './execute-plan';
import { isObject, ResponseObject, ResponsePath } from './response-data';

/** A field of the response at one level, for one runtime type: what to read and how to complete it. */
interface CollectedField {
  responseName: string;
  fieldName: string;
  parentType: string;
  type: GraphQLOutputType | null;
  /** The sub-selections of every field node merged under this response name. */
  children: SelectionGroup | null;
}

/** Selection sets completing one value; their collected fields are kept per runtime type. */
class SelectionGroup {
  readonly byType = new Map<string, CollectedField[]>();
  constructor(readonly selectionSets: readonly SelectionSetNode[]) {}
}

interface PathLink {
  parent: PathLink | null;
  key: string | number;
}

/** Completing a value found a null where the schema says non-null: its parent becomes null. */
const invalid = Symbol('invalid');

/**
 * Builds the client's response from the data the plan's fetches merged, as GraphQL execution
 * would complete it: the client's aliases and fragments, `__typename`, `@skip`/`@include`,
 * enum values the API schema knows, and nulls propagated up from non-null fields (with an
 * error where no subgraph error already explains them). Collected fields are cached per
 * selection and runtime type, so an operation served again costs one walk over its data.
 */
export class ResponseShaper {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly root: SelectionGroup;
  private readonly rootType: GraphQLObjectType;
  /** Whether @skip/@include make the collected fields depend on the variables (no caching across requests). */
  private readonly conditional: boolean;

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
  ) {
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    this.root = new SelectionGroup([operation.selectionSet]);
    const rootType = schema.getRootType(operation.operation);
    if (!rootType) throw new Error(`the schema has no ${operation.operation} type`);
    this.rootType = rootType;
    this.conditional = hasConditions(document);
  }

  shape(data: ResponseObject | null, errors: ResponseError[], variables: Record<string, unknown>): { data: ResponseObject | null; errors: ResponseError[] } {
    const run = new ShapingRun(this, errors, variables);
    const root = this.conditional ? new SelectionGroup(this.root.selectionSets) : this.root;
    const completed = run.completeObject(this.rootType, root, data ?? {}, null);
    return { data: completed === invalid ? null : completed, errors: run.errors };
  }

  /** @internal */
  collect(group: SelectionGroup, type: GraphQLObjectType | GraphQLInterfaceType, variables: Record<string, unknown>): CollectedField[] {
    let fields = group.byType.get(type.name);
    if (fields) return fields;
    const nodes = new Map<string, FieldNode[]>();
    const visited = new Set<string>();
    for (const selectionSet of group.selectionSets) this.collectInto(nodes, selectionSet, type, variables, visited);
    const typeFields = type.getFields();
    fields = [];
    for (const [responseName, fieldNodes] of nodes) {
      const fieldName = fieldNodes[0]!.name.value;
      const definition = fieldName === '__typename' ? null : typeFields[fieldName];
      const subSelections = fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      fields.push({
        responseName,
        fieldName,
        parentType: type.name,
        type: definition?.type ?? null,
        children: subSelections.length > 0 ? new SelectionGroup(subSelections) : null,
      });
    }
    group.byType.set(type.name, fields);
    return fields;
  }

  private collectInto(nodes: Map<string, FieldNode[]>, selectionSet: SelectionSetNode, type: GraphQLObjectType | GraphQLInterfaceType, variables: Record<string, unknown>, visited: Set<string>): void {
    for (const selection of selectionSet.selections) {
      if (!included(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.alias?.value ?? selection.name.value;
        const list = nodes.get(name);
        if (list) list.push(selection);
        else nodes.set(name, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!selection.typeCondition || this.applies(selection.typeCondition.name.value, type)) this.collectInto(nodes, selection.selectionSet, type, variables, visited);
      } else {
        const name = selection.name.value;
        if (visited.has(name)) continue;
        visited.add(name);
        const fragment = this.fragments.get(name);
        if (fragment && this.applies(fragment.typeCondition.name.value, type)) this.collectInto(nodes, fragment.selectionSet, type, variables, visited);
      }
    }
  }

  private applies(condition: string, type: GraphQLObjectType | GraphQLInterfaceType): boolean {
    if (condition === type.name) return true;
    const conditionType = this.schema.getType(condition);
    return conditionType !== undefined && isAbstractType(conditionType) && this.schema.isSubType(conditionType, type);
  }

  /** @internal */
  runtimeType(abstractType: GraphQLCompositeType, typename: unknown): GraphQLObjectType | null {
    if (typeof typename !== 'string') return null;
    const type = this.schema.getType(typename);
    if (!type || !isObjectType(type)) return null;
    if (isAbstractType(abstractType) && !this.schema.isSubType(abstractType, type)) return null;
    return type;
  }
}

class ShapingRun {
  readonly errors: ResponseError[];
  private errorPaths: { prefixes: Set<string>; full: Set<string>; pathless: boolean } | null = null;

  constructor(
    private readonly shaper: ResponseShaper,
    errors: ResponseError[],
    private readonly variables: Record<string, unknown>,
  ) {
    this.errors = errors;
  }

  completeObject(type: GraphQLObjectType | GraphQLInterfaceType, group: SelectionGroup, source: ResponseObject, path: PathLink | null): ResponseObject | typeof invalid {
    const out: ResponseObject = {};
    for (const field of this.shaper.collect(group, type, this.variables)) {
      if (field.fieldName === '__typename') {
        out[field.responseName] = isObjectType(type) || typeof source.__typename !== 'string' ? type.name : source.__typename;
        continue;
      }
      if (!field.type) continue;
      const value = this.completeValue(field.type, field, source[field.responseName], path, field.responseName);
      if (value === invalid) return invalid;
      out[field.responseName] = value;
    }
    return out;
  }

  /**
   * The value at `key` of the object or list at `parent`. The path is passed as its parent and
   * key: a link is made only for an object or list (its items need a parent), so scalars, most
   * of a response, cost none.
   */
  private completeValue(type: GraphQLOutputType, field: CollectedField, value: unknown, parent: PathLink | null, key: string | number): unknown {
    if (isNonNullType(type)) {
      const completed = this.completeValue(type.ofType, field, value, parent, key);
      if (completed === null) {
        this.nonNullViolation(field, { parent, key });
        return invalid;
      }
      return completed;
    }
    if (value === null || value === undefined) return null;
    if (isListType(type)) {
      const path: PathLink = { parent, key };
      if (!Array.isArray(value)) return this.fail(path, `expected a list for ${field.parentType}.${field.fieldName}`);
      const items = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) {
        const item = this.completeValue(type.ofType, field, value[i], path, i);
        if (item === invalid) return null;
        items[i] = item;
      }
      return items;
    }
    if (isLeafType(type)) return isEnumType(type) ? this.completeEnum(type, value, parent, key) : this.completeScalar(type, value, parent, key);
    const path: PathLink = { parent, key };
    if (!isObject(value) || !field.children) return this.fail(path, `expected an object for ${field.parentType}.${field.fieldName}`);
    const runtimeType = isObjectType(type) ? type : this.shaper.runtimeType(type, value.__typename);
    if (!runtimeType && typeof value.__typename === 'string' && value.__typename !== type.name) {
      return this.fail(path, `${type.name} cannot be "${value.__typename}" here`);
    }
    // The planner asks an interface's owner for no __typename when the operation selects only
    // the interface's own fields (an @interfaceObject answers with the interface's name): the
    // value is completed as the interface, whose fields and fragments on it apply.
    const completed = this.completeObject(runtimeType ?? (type as GraphQLInterfaceType), field.children, value, path);
    return completed === invalid ? null : completed;
  }

  private completeEnum(type: GraphQLEnumType, value: unknown, parent: PathLink | null, key: string | number): unknown {
    if (typeof value === 'string' && type.getValue(value)) return value;
    return this.fail({ parent, key }, `Enum "${type.name}" cannot represent value: ${JSON.stringify(value)}`);
  }

  private completeScalar(type: Parameters<typeof isSpecifiedScalarType>[0] & { serialize(value: unknown): unknown }, value: unknown, parent: PathLink | null, key: string | number): unknown {
    // Most values already have their scalar's JSON type: they are served as they came.
    if (alreadySerialized[type.name]?.(value)) return value;
    // The subgraph serialized custom scalars already; the built-in ones are checked as graphql-js would.
    if (!isSpecifiedScalarType(type)) return value;
    try {
      return type.serialize(value);
    } catch (err) {
      return this.fail({ parent, key }, (err as Error).message);
    }
  }

  private fail(path: PathLink, message: string): null {
    this.errors.push({ message, path: materialize(path), extensions: { code: 'RESPONSE_VALIDATION_FAILED' } });
    this.errorPaths = null;
    return null;
  }

  /** A null in a non-null field: reported unless an error at or below it already says why. */
  private nonNullViolation(field: CollectedField, path: PathLink): void {
    const at = materialize(path);
    if (this.explained(at)) return;
    this.errors.push({ message: `Cannot return null for non-nullable field ${field.parentType}.${field.fieldName}.`, path: at, extensions: { code: 'RESPONSE_VALIDATION_FAILED' } });
    this.errorPaths = null;
  }

  /**
   * Whether an error already accounts for a null at `path`: one at it, above it (its parent's
   * fetch failed) or below it (what propagated up), or one with no path at all (the subgraph
   * refused the whole request).
   */
  private explained(path: ResponsePath): boolean {
    if (this.errors.length === 0) return false;
    if (!this.errorPaths) {
      const paths = { prefixes: new Set<string>(), full: new Set<string>(), pathless: false };
      for (const error of this.errors) {
        if (!error.path || error.path.length === 0) {
          paths.pathless = true;
          continue;
        }
        let prefix = '';
        for (const key of error.path) paths.prefixes.add((prefix += `${key}\u0000`));
        paths.full.add(prefix);
      }
      this.errorPaths = paths;
    }
    if (this.errorPaths.pathless) return true;
    let prefix = '';
    for (const key of path) {
      prefix += `${key}\u0000`;
      if (this.errorPaths.full.has(prefix)) return true;
    }
    return this.errorPaths.prefixes.has(prefix);
  }
}

/** The built-in scalars' values that graphql-js would serialize unchanged. */
const alreadySerialized: Record<string, ((value: unknown) => boolean) | undefined> = {
  String: (value) => typeof value === 'string',
  ID: (value) => typeof value === 'string',
  Boolean: (value) => typeof value === 'boolean',
  Int: (value) => Number.isInteger(value) && (value as number) <= 2147483647 && (value as number) >= -2147483648,
  Float: (value) => typeof value === 'number' && Number.isFinite(value),
};

function materialize(link: PathLink | null): ResponsePath {
  const path: ResponsePath = [];
  for (let at = link; at; at = at.parent) path.push(at.key);
  return path.reverse();
}

function included(selection: { directives?: readonly unknown[] } & Parameters<typeof getDirectiveValues>[1], variables: Record<string, unknown>): boolean {
  if (!selection.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if !== false;
}

function hasConditions(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'skip' || node.name.value === 'include') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}
