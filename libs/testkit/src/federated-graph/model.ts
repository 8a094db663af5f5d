/** The shape of a generated subgraph, from which both its SDL and operations over the composed API are made. */

export interface ArgumentSpec {
  name: string;
  type: string;
  /** How an operation passes it: a variable of the argument's type, or this literal. */
  literal?: string;
}

export interface FieldSpec {
  name: string;
  /** The GraphQL type as written: `String!`, `[Sg01Thing3!]!`. */
  type: string;
  args?: ArgumentSpec[];
  shareable?: boolean;
  /** Default value of an input field, as written. */
  defaultValue?: string;
}

export type TypeSpec =
  | { kind: 'object'; name: string; fields: FieldSpec[]; implements?: string; key?: boolean }
  | { kind: 'interface'; name: string; fields: FieldSpec[] }
  | { kind: 'union'; name: string; members: string[] }
  | { kind: 'enum'; name: string; values: string[] }
  | { kind: 'input'; name: string; fields: FieldSpec[] };

export interface SubgraphModel {
  name: string;
  types: TypeSpec[];
  queryFields: FieldSpec[];
}

export const namedTypeOf = (type: string): string => type.replace(/[[\]!]/g, '');

const federationLink = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])';

function renderField(field: FieldSpec): string {
  const args = field.args?.length ? `(${field.args.map((a) => `${a.name}: ${a.type}`).join(', ')})` : '';
  const defaultValue = field.defaultValue === undefined ? '' : ` = ${field.defaultValue}`;
  return `  ${field.name}${args}: ${field.type}${defaultValue}${field.shareable ? ' @shareable' : ''}`;
}

function renderType(type: TypeSpec): string {
  switch (type.kind) {
    case 'object': {
      const implementsClause = type.implements ? ` implements ${type.implements}` : '';
      const key = type.key ? ' @key(fields: "id")' : '';
      return `type ${type.name}${implementsClause}${key} {\n${type.fields.map(renderField).join('\n')}\n}`;
    }
    case 'interface':
      return `interface ${type.name} {\n${type.fields.map(renderField).join('\n')}\n}`;
    case 'union':
      return `union ${type.name} = ${type.members.join(' | ')}`;
    case 'enum':
      return `enum ${type.name} {\n${type.values.map((v) => `  ${v}`).join('\n')}\n}`;
    case 'input':
      return `input ${type.name} {\n${type.fields.map(renderField).join('\n')}\n}`;
  }
}

/** The subgraph's SDL, a Federation 2 schema. */
export function renderSubgraph(model: SubgraphModel): string {
  const query = `type Query {\n${model.queryFields.map(renderField).join('\n')}\n}`;
  return [federationLink, query, ...model.types.map(renderType)].join('\n\n') + '\n';
}
