import {
  DocumentNode,
  getOperationAST,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  TypeInfo,
  valueFromASTUntyped,
  ValueNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { badInput, DomainError } from '../errors';
import { checkEntityRepresentations } from './entity-representations';
import { measureOperation } from './measure-operation';

/**
 * What one operation may ask of a service: a subgraph (signed by the gateway or not) or the
 * registry. A limit left out is not checked.
 */
export interface OperationLimits {
  /** Deepest nesting of fields (a root field is 1). */
  maxDepth: number;
  /**
   * Fields selected under an alias, fragments counted where they are spread. An alias is how one
   * request asks for the same large value many times over: a registry's supergraph, say.
   */
  maxAliases?: number;
  /** Representations one `_entities` call may carry. */
  maxEntityRepresentations?: number;
  /** Longest list any argument may hold, at any depth of its value (`_entities` representations aside). */
  maxListLength?: number;
  /** Largest `first` a field accepts, unless `pageSizes` names the field. */
  maxPageSize?: number;
  /** Fields (`Type.field`) whose `first` is bounded otherwise. */
  pageSizes?: Readonly<Record<string, number>>;
}

/**
 * Throws a DomainError (MAX_DEPTH_LIMIT, MAX_ALIASES_LIMIT, MAX_ENTITY_REPRESENTATIONS_LIMIT,
 * MAX_LIST_LENGTH_LIMIT, or BAD_USER_INPUT for `first`) when the operation goes beyond
 * `limits`. Runs on a validated document, with the variables as sent.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  limits: OperationLimits,
): void {
  const operation = getOperationAST(document, operationName);
  if (!operation) return;
  const { depth, aliases } = measureOperation(document, operationName);
  if (depth > limits.maxDepth) {
    throw new DomainError('MAX_DEPTH_LIMIT', `the operation nests fields ${depth} deep, more than the ${limits.maxDepth} this service allows`);
  }
  if (limits.maxAliases !== undefined && aliases > limits.maxAliases) {
    throw new DomainError('MAX_ALIASES_LIMIT', `the operation selects ${aliases} fields under aliases, more than the ${limits.maxAliases} this service allows`);
  }
  if (limits.maxEntityRepresentations !== undefined || limits.maxListLength !== undefined || limits.maxPageSize !== undefined) {
    checkArguments(schema, document, operation, variables ?? {}, limits);
  }
}

/** The limits on arguments: `_entities` representations (how many, and their shape), list lengths and `first`. */
function checkArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  values: Readonly<Record<string, unknown>>,
  limits: OperationLimits,
): void {
  const { maxEntityRepresentations, maxListLength, maxPageSize } = limits;
  const checkedVariables = new Set<string>();
  const checkLists = (value: ValueNode) => {
    if (maxListLength === undefined) return;
    const longest = longestList(value, values, checkedVariables, maxListLength);
    if (longest > maxListLength) {
      throw new DomainError('MAX_LIST_LENGTH_LIMIT', `an argument holds a list of ${longest} items, more than the ${maxListLength} this service accepts`);
    }
  };
  const queryType = schema.getQueryType();
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Argument(argument) {
      const field = typeInfo.getDirective() ? null : typeInfo.getFieldDef();
      const parent = typeInfo.getParentType();
      if (field && parent === queryType && field.name === '_entities' && argument.name.value === 'representations') {
        const count = listLength(argument.value, values);
        if (maxEntityRepresentations !== undefined && count > maxEntityRepresentations) {
          throw new DomainError(
            'MAX_ENTITY_REPRESENTATIONS_LIMIT',
            `_entities names ${count} entities, more than the ${maxEntityRepresentations} this service resolves at once`,
          );
        }
        checkEntityRepresentations(schema, valueFromASTUntyped(argument.value, values));
        return false;
      }
      const max = field && parent ? (limits.pageSizes?.[`${parent.name}.${field.name}`] ?? maxPageSize) : undefined;
      if (max !== undefined && argument.name.value === 'first') {
        const first = valueOf(argument.value, values);
        if (typeof first === 'number' && first > max) throw badInput(`first must be between 0 and ${max}`);
      }
      checkLists(argument.value);
      return false;
    },
  });
  visit(operation, visitor);
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition, visitor);
}

function valueOf(value: ValueNode, variables: Readonly<Record<string, unknown>>): unknown {
  if (value.kind === Kind.VARIABLE) return variables[value.name.value];
  if (value.kind === Kind.INT) return Number(value.value);
  return undefined;
}

function listLength(value: ValueNode, variables: Readonly<Record<string, unknown>>): number {
  if (value.kind === Kind.LIST) return value.values.length;
  const given = valueOf(value, variables);
  return Array.isArray(given) ? given.length : 1;
}

/** The longest list in an argument's value, variables included; stops looking once past `limit`. */
function longestList(
  value: ValueNode,
  variables: Readonly<Record<string, unknown>>,
  checkedVariables: Set<string>,
  limit: number,
): number {
  switch (value.kind) {
    case Kind.LIST: {
      let longest = value.values.length;
      for (const item of value.values) {
        if (longest > limit) break;
        longest = Math.max(longest, longestList(item, variables, checkedVariables, limit));
      }
      return longest;
    }
    case Kind.OBJECT: {
      let longest = 0;
      for (const field of value.fields) {
        if (longest > limit) break;
        longest = Math.max(longest, longestList(field.value, variables, checkedVariables, limit));
      }
      return longest;
    }
    case Kind.VARIABLE: {
      // A variable used in many places is looked through once.
      if (checkedVariables.has(value.name.value)) return 0;
      checkedVariables.add(value.name.value);
      return longestJsonList(variables[value.name.value], limit);
    }
    default:
      return 0;
  }
}

/** Walks a JSON value without recursion, so deeply nested variables cannot overflow the stack. */
function longestJsonList(root: unknown, limit: number): number {
  let longest = 0;
  const pending: unknown[] = [root];
  while (pending.length > 0 && longest <= limit) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      longest = Math.max(longest, value.length);
      if (longest > limit) break;
      for (const item of value) pending.push(item);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) pending.push(item);
    }
  }
  return longest;
}
