import { buildSchema } from 'graphql';
import { diffApiSchema } from '../src/domain/diff-api-schema';
import { touchedBy } from '../src/domain/change-coordinates';

const before = buildSchema(`
  type Query { product(id: ID!): Product, products(first: Int): [Product!]!, search(filter: Filter): [Product!]! }
  type Product { id: ID! sku: String! name: String! status: Status! price: Int }
  type Review { id: ID! }
  enum Status { ACTIVE RETIRED }
  input Filter { text: String, nested: Range }
  input Range { min: Int }
`);

async function changesAfter(sdl: string) {
  return (await diffApiSchema(before, buildSchema(sdl))).map(({ code, severity, coordinate }) => ({ code, severity, coordinate }));
}

const base = {
  query: 'type Query { product(id: ID!): Product, products(first: Int): [Product!]!, search(filter: Filter): [Product!]! }',
  product: 'type Product { id: ID! sku: String! name: String! status: Status! price: Int }',
  review: 'type Review { id: ID! }',
  status: 'enum Status { ACTIVE RETIRED }',
  filter: 'input Filter { text: String, nested: Range }',
  range: 'input Range { min: Int }',
};
const schemaWith = (overrides: Partial<typeof base>) => Object.values({ ...base, ...overrides }).join('\n');

describe('diffing the API schema', () => {
  it.each([
    ['a removed field', { product: 'type Product { id: ID! name: String! status: Status! price: Int }' }, 'FIELD_REMOVED', 'BREAKING', 'Product.sku'],
    ['a removed type', { review: '' }, 'TYPE_REMOVED', 'BREAKING', 'Review'],
    ['a removed argument', { query: base.query.replace('products(first: Int)', 'products') }, 'ARG_REMOVED', 'BREAKING', 'Query.products.first'],
    ['a required argument', { query: base.query.replace('products(first: Int)', 'products(first: Int, shop: ID!)') }, 'REQUIRED_ARG_ADDED', 'BREAKING', 'Query.products.shop'],
    ['an optional argument', { query: base.query.replace('products(first: Int)', 'products(first: Int, shop: ID)') }, 'OPTIONAL_ARG_ADDED', 'DANGEROUS', 'Query.products.shop'],
    ['a field whose type changed', { product: base.product.replace('price: Int', 'price: String') }, 'FIELD_CHANGED_TYPE', 'BREAKING', 'Product.price'],
    ['an argument whose type changed', { query: base.query.replace('products(first: Int)', 'products(first: String)') }, 'ARG_CHANGED_TYPE', 'BREAKING', 'Query.products.first'],
    ['a removed enum value', { status: 'enum Status { ACTIVE }' }, 'VALUE_REMOVED_FROM_ENUM', 'BREAKING', 'Status.RETIRED'],
    ['an added enum value', { status: 'enum Status { ACTIVE RETIRED DRAFT }' }, 'VALUE_ADDED_TO_ENUM', 'DANGEROUS', 'Status.DRAFT'],
    ['a required input field', { filter: 'input Filter { text: String, nested: Range, shop: ID! }' }, 'REQUIRED_FIELD_ADDED_TO_INPUT_OBJECT', 'BREAKING', 'Filter.shop'],
    ['a type that changed kind', { review: 'interface Review { id: ID! }' }, 'TYPE_CHANGED_KIND', 'BREAKING', 'Review'],
    ['an added field', { product: base.product.replace('price: Int', 'price: Int color: String') }, 'FIELD_ADDED', 'SAFE', 'Product.color'],
    ['an added type', { review: `${base.review} type Brand { id: ID! }` }, 'TYPE_ADDED', 'SAFE', 'Brand'],
  ])('reports %s with its GraphOS code, severity and coordinate', async (_what, overrides, code, severity, coordinate) => {
    expect(await changesAfter(schemaWith(overrides))).toContainEqual({ code, severity, coordinate });
  });

  it('lists breaking changes first', async () => {
    const changes = await changesAfter(schemaWith({ product: 'type Product { id: ID! name: String! status: Status! price: Int color: String }' }));
    expect(changes.map((c) => c.severity)).toEqual(['BREAKING', 'SAFE']);
  });

  it('reports nothing for an identical schema', async () => {
    expect(await changesAfter(schemaWith({}))).toEqual([]);
  });
});

describe('which usage coordinates a change touches', () => {
  const touches = (code: string, coordinate: string) => {
    const matches = touchedBy({ code, severity: 'BREAKING', coordinate, message: '' }, before);
    return ['Product.sku', 'Product.name', 'Query.product', 'Query.products', 'Query.search', 'Product.status', 'Status.RETIRED', 'Review.id'].filter(matches);
  };

  it('a field change touches that field only', () => {
    expect(touches('FIELD_REMOVED', 'Product.sku')).toEqual(['Product.sku']);
  });

  it('an argument change touches the field that takes it', () => {
    expect(touches('ARG_REMOVED', 'Query.products.first')).toEqual(['Query.products']);
  });

  it('a removed type touches every coordinate on it and the fields returning it', () => {
    expect(touches('TYPE_REMOVED', 'Product')).toEqual(['Product.sku', 'Product.name', 'Query.product', 'Query.products', 'Query.search', 'Product.status']);
  });

  it('a removed enum value touches the value and the fields returning the enum', () => {
    expect(touches('VALUE_REMOVED_FROM_ENUM', 'Status.RETIRED')).toEqual(['Product.status', 'Status.RETIRED']);
  });

  it('an input object change touches the fields taking it, however deeply nested', () => {
    expect(touches('REQUIRED_FIELD_ADDED_TO_INPUT_OBJECT', 'Range.max')).toEqual(['Query.search']);
  });
});
