import {
  getNullableType,
  GraphQLCompositeType,
  GraphQLOutputType,
  GraphQLSchema,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  SelectionSetNode,
} from 'graphql';
import { badInput } from '../errors';

/** The key field sets (`@key(fields:)`) of each entity type of a subgraph schema, parsed once per schema. */
const keysBySchema = new WeakMap<GraphQLSchema, Map<string, SelectionSetNode[]>>();

/**
 * Refuses `_entities` representations that no entity of this subgraph can be looked up by: not an
 * object, no `__typename`, a type that is not an entity here, or no key whose fields are all there
 * with values of their types (an `ID` that is a list, an object, null). The gateway never sends
 * such; anyone else reaching the subgraph would otherwise get INTERNAL_SERVER_ERROR from deep in
 * the resolver, the database driver or the recursion limit, with a stack trace in the log.
 */
export function checkEntityRepresentations(schema: GraphQLSchema, representations: unknown): void {
  const keys = entityKeysOf(schema);
  const list = Array.isArray(representations) ? representations : [representations];
  list.forEach((representation, index) => {
    const where = `_entities: representation ${index}`;
    if (!isRecord(representation)) throw badInput(`${where} is not an object`);
    const typename = representation.__typename;
    if (typeof typename !== 'string') throw badInput(`${where} has no __typename`);
    const keySets = keys.get(typename);
    if (!keySets) throw badInput(`${where} names ${JSON.stringify(typename.slice(0, 100))}, which is not an entity of this subgraph`);
    const type = schema.getType(typename) as GraphQLCompositeType;
    // An entity whose keys could not be read (`@key` imported under another name) is left to its resolver.
    if (keySets.length > 0 && !keySets.some((keySet) => holdsFields(type, keySet, representation))) {
      throw badInput(`${where} of ${typename} does not hold the fields of any of its keys with values of their types`);
    }
  });
}

/**
 * The entities: the members of `_Entity` (which `buildSubgraphSchema` makes of the object types
 * with a key) and the types carrying `@key` (interfaces too), each with the key field sets it reads.
 */
function entityKeysOf(schema: GraphQLSchema): Map<string, SelectionSetNode[]> {
  let keys = keysBySchema.get(schema);
  if (keys) return keys;
  keys = new Map();
  const entityUnion = schema.getType('_Entity');
  const entities = new Set(isUnionType(entityUnion) ? entityUnion.getTypes().map((type) => type.name) : []);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const nodes = [type.astNode, ...type.extensionASTNodes];
    const keySets = nodes.flatMap((node) => node?.directives ?? []).flatMap((directive) => {
      if (directive.name.value !== 'key' && directive.name.value !== 'federation__key') return [];
      const fields = directive.arguments?.find((argument) => argument.name.value === 'fields')?.value;
      if (fields?.kind !== Kind.STRING) return [];
      const operation = parse(`{${fields.value}}`).definitions[0];
      return operation?.kind === Kind.OPERATION_DEFINITION ? [operation.selectionSet] : [];
    });
    if (keySets.length > 0 || entities.has(type.name)) keys.set(type.name, keySets);
  }
  keysBySchema.set(schema, keys);
  return keys;
}

/** Whether `value` has every field of `selectionSet`, each a value of its field's type. */
function holdsFields(type: GraphQLCompositeType, selectionSet: SelectionSetNode, value: Record<string, unknown>): boolean {
  if (!isObjectType(type) && !isInterfaceType(type)) return true;
  const fields = type.getFields();
  return selectionSet.selections.every((selection) => {
    // A key naming fields of an interface's implementations by fragment: left to the resolver.
    if (selection.kind !== Kind.FIELD) return true;
    const field = fields[selection.name.value];
    return field !== undefined && isValueOf(field.type, selection.selectionSet, value[selection.name.value]);
  });
}

function isValueOf(type: GraphQLOutputType, selectionSet: SelectionSetNode | undefined, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  const nullable = getNullableType(type);
  if (isListType(nullable)) return Array.isArray(value) && value.every((item) => isValueOf(nullable.ofType, selectionSet, item));
  if (isLeafType(nullable)) {
    if (typeof value === 'object') return false;
    try {
      return nullable.parseValue(value) !== undefined;
    } catch {
      return false;
    }
  }
  return selectionSet !== undefined && isRecord(value) && holdsFields(nullable, selectionSet, value);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
