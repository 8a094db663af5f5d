import {
  getNamedType,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLSchema,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import type { SchemaChange } from './schema-change';

/**
 * Which usage coordinates (`Type.field`, as the gateway reports them) a change touches, judged
 * on the API schema before the change:
 * - a change to a field or its arguments on an object or interface type: that field, `Type.field`;
 * - a change to a whole type (removed, kind changed, union or interface membership): any
 *   coordinate on that type, and every field that returns it or takes it in an argument;
 * - a change to an enum value or an input field (`Enum.VALUE`, `Input.field`): that coordinate
 *   if the gateway reports it, and every field that returns the enum or takes it (or the input
 *   object, however deeply nested) in an argument.
 */
export function touchedBy(change: SchemaChange, before: GraphQLSchema): (coordinate: string) => boolean {
  const { exact, typePrefix } = touchedCoordinates(change, before);
  const set = new Set(exact);
  return (coordinate) => set.has(coordinate) || (typePrefix !== null && coordinate.startsWith(typePrefix));
}

/** What `touchedBy` accepts, spelled out: these coordinates, and any starting with `typePrefix` (`Type.`). */
export function touchedCoordinates(change: SchemaChange, before: GraphQLSchema): { exact: string[]; typePrefix: string | null } {
  const [typeName = '', member] = change.coordinate.split('.');
  const type = before.getType(typeName);
  if (member !== undefined && (isObjectType(type) || isInterfaceType(type))) return { exact: [`${typeName}.${member}`], typePrefix: null };
  const users = type ? [...fieldsUsing(type, before)] : [];
  return member === undefined ? { exact: users, typePrefix: `${typeName}.` } : { exact: [...users, `${typeName}.${member}`], typePrefix: null };
}

/** `Type.field` of every output field that returns `target` or takes it, directly or inside input objects, as an argument. */
function fieldsUsing(target: GraphQLNamedType, schema: GraphQLSchema): Set<string> {
  const users = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const returns = getNamedType(field.type) === target;
      if (returns || field.args.some((arg) => inputReaches(arg.type, target, new Set()))) users.add(`${type.name}.${field.name}`);
    }
  }
  return users;
}

function inputReaches(type: GraphQLInputType, target: GraphQLNamedType, seen: Set<string>): boolean {
  const named = getNamedType(type);
  if (named === target) return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => inputReaches(field.type, target, seen));
}
