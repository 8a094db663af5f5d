import { buildSchema, GraphQLSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { withLeanDefinitions } from '../src/lean-schema';
import { diffApiSchema } from '../src/domain/diff-api-schema';

const directives = `
  directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | ENUM_VALUE | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | SCHEMA
  directive @audited on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
`;

const before = `${directives}
  schema @tag(name: "v1") { query: Query }
  "The shop's entry points."
  type Query @audited { product(id: ID! @tag(name: "key"), legacy: Int): Product, search(filter: Filter): [Result!]! }
  interface Node { id: ID! }
  type Product implements Node @audited { id: ID! name: String! @tag(name: "public") price: Int @deprecated(reason: "use cost") cost: Int }
  type Brand implements Node { id: ID! }
  union Result @audited = Product | Brand
  enum Status @audited { ACTIVE RETIRED @deprecated(reason: "gone") DRAFT @tag(name: "internal") }
  input Filter @audited { text: String @tag(name: "free") status: Status = ACTIVE }
  scalar Money @audited
`;

const after = `${directives}
  schema @tag(name: "v2") { query: Query }
  "The shop's entry points."
  type Query { product(id: ID! @tag(name: "id"), legacy: Int @deprecated): Product, search(filter: Filter): [Result!]! }
  interface Node @audited { id: ID! }
  type Product implements Node @audited { id: ID! name: String! price: Int @deprecated(reason: "use cost, in cents") cost: Int @tag(name: "public") @tag(name: "money") }
  type Brand implements Node @audited { id: ID! }
  union Result = Product | Brand
  enum Status { ACTIVE @deprecated RETIRED DRAFT @tag(name: "internal") @tag(name: "draft") }
  input Filter @audited { text: String status: Status = ACTIVE @deprecated(reason: "use states") }
  scalar Money
`;

/** Every AST node a schema element keeps, with the element's place. */
function keptNodes(schema: GraphQLSchema): [string, object][] {
  const nodes: [string, object | null | undefined][] = [['schema', schema.astNode]];
  for (const type of Object.values(schema.getTypeMap())) {
    nodes.push([type.name, type.astNode]);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        nodes.push([`${type.name}.${field.name}`, field.astNode]);
        for (const arg of field.args) nodes.push([`${type.name}.${field.name}(${arg.name})`, arg.astNode]);
      }
    }
    if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) nodes.push([`${type.name}.${field.name}`, field.astNode]);
    if (isEnumType(type)) for (const value of type.getValues()) nodes.push([`${type.name}.${value.name}`, value.astNode]);
  }
  return nodes.filter((entry): entry is [string, object] => entry[1] != null);
}

describe('an API schema with lean definitions', () => {
  it('reports the same changes as the schema with its whole definition AST, directive changes included', async () => {
    const full = await diffApiSchema(buildSchema(before), buildSchema(after));
    const lean = await diffApiSchema(withLeanDefinitions(buildSchema(before)), withLeanDefinitions(buildSchema(after)));
    expect(full.length).toBeGreaterThan(15);
    expect(full.map((change) => change.code)).toEqual(expect.arrayContaining(['DIRECTIVE_USAGE_OBJECT_ADDED', 'DIRECTIVE_USAGE_FIELD_DEFINITION_ADDED', 'DIRECTIVE_USAGE_ARGUMENT_REMOVED']));
    expect(lean).toEqual(full);
  });

  it('keeps of each definition only its kind and the directives applied to it', () => {
    const schema = withLeanDefinitions(buildSchema(before));
    const nodes = keptNodes(schema);
    expect(nodes.length).toBeGreaterThan(20);
    for (const [place, node] of nodes) expect([place, Object.keys(node).sort()]).toEqual([place, expect.arrayContaining(['kind'])]);
    for (const [place, node] of nodes) expect([place, Object.keys(node).filter((key) => key !== 'kind' && key !== 'directives')]).toEqual([place, []]);
    expect(Object.fromEntries(nodes)['Product.name']).toEqual({ kind: 'FieldDefinition', directives: [expect.objectContaining({ kind: 'Directive' })] });
  });

  it('still describes the types, fields and arguments it removed the AST of', () => {
    const schema = withLeanDefinitions(buildSchema(before));
    expect(schema.getQueryType()?.description).toBe("The shop's entry points.");
    const product = schema.getType('Product');
    expect(isObjectType(product) && product.getFields().price?.deprecationReason).toBe('use cost');
    const filter = schema.getType('Filter');
    expect(isInputObjectType(filter) && filter.getFields().status?.defaultValue).toBe('ACTIVE');
  });
});
