import fs from 'node:fs';
import path from 'node:path';
import { apiSchemaOf, composeFromConfigFile, composeSubgraphs } from '@ficus/schema-registry';
import { DocumentNode, GraphQLSchema, parse, validate } from 'graphql';
import { actualCost, CostEstimateError, CostModel, estimateCost, readSafetyConfig } from '../src/safety';

const repo = path.resolve(__dirname, '../..');
const contract = parse(
  ['storefront.graphql', 'admin.graphql'].map((file) => fs.readFileSync(path.join(repo, 'contract/operations', file), 'utf8')).join('\n'),
);
const { cost: costConfig } = readSafetyConfig({});

interface Graph {
  apiSchema: GraphQLSchema;
  model: CostModel;
}

let shop: Graph;

beforeAll(async () => {
  const outcome = await composeFromConfigFile(path.join(repo, 'supergraph.yaml'));
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  shop = graphOf(outcome.supergraphSdl);
});

function graphOf(supergraphSdl: string): Graph {
  return { apiSchema: apiSchemaOf(supergraphSdl), model: CostModel.fromSupergraph(supergraphSdl, { defaultListSize: costConfig.defaultListSize }) };
}

/** Subgraphs of our own, composed, for what the shop's schema does not declare. */
function composedGraph(...sdls: string[]): Graph {
  const outcome = composeSubgraphs(sdls.map((sdl, i) => ({ name: `s${i}`, routingUrl: `http://127.0.0.1:${i + 1}/graphql`, origin: 'inline sdl', sdl })));
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return graphOf(outcome.supergraphSdl);
}

/** A document that must validate, so every estimate is of something the gateway would run. */
function valid(graph: Graph, query: string): DocumentNode {
  const document = parse(query);
  expect(validate(graph.apiSchema, document)).toEqual([]);
  return document;
}

const estimate = (query: string, variables: Record<string, unknown> = {}, graph = shop) =>
  estimateCost(graph.model, graph.apiSchema, valid(graph, query), null, variables);

const signUpInput = { email: 'ada@example.com', name: 'Ada', password: 'correct horse' };
const placeOrderInput = (items: number) => ({
  items: Array.from({ length: items }, (_, i) => ({ productId: `p${i}`, quantity: 1 })),
  paymentToken: 'tok_visa',
  idempotencyKey: 'k1',
});

describe('the cost model of the shop supergraph', () => {
  it('reads @listSize and @cost from the supergraph SDL', () => {
    expect(shop.model.listSize('Query', 'products')).toEqual({
      assumedSize: null,
      slicingArguments: ['first'],
      sizedFields: ['edges'],
      requireOneSlicingArgument: true,
    });
    expect(shop.model.listSize('Order', 'items')).toEqual({ assumedSize: 10, slicingArguments: null, sizedFields: null, requireOneSlicingArgument: true });
    expect(shop.model.fieldWeight('Mutation', 'signIn', 'AuthPayload')).toBe(1_000);
    expect(shop.model.fieldWeight('Mutation', 'placeOrder', 'Order')).toBe(20);
    expect(shop.model.fieldWeight('Query', 'me', 'User')).toBeNull();
  });
});

describe('estimated cost of the contract operations', () => {
  // Objects cost 1, scalars 0, a mutation 10 more; pages are `first` long (20 by default),
  // an order's items are assumed 10.
  it.each([
    // products 1 + pageInfo 1 + 20 edges × (edge 1 + node 1 + price 1 + stock 1)
    { name: 'Catalog', variables: {}, cost: 82 },
    { name: 'Catalog', variables: { first: 5 }, cost: 22 },
    { name: 'Catalog', variables: { first: 100 }, cost: 402 },
    // mutation 10 + signUp 100 + user 1 + the input object 1
    { name: 'SignUp', variables: { input: signUpInput }, cost: 1_012 },
    // mutation 10 + placeOrder 20 + total 1 + 10 items × (item 1 + product 1) + input 1 + 1 per item given
    { name: 'PlaceOrder', variables: { input: placeOrderInput(1) }, cost: 53 },
    { name: 'PlaceOrder', variables: { input: placeOrderInput(3) }, cost: 55 },
    // me 1 + orders 1 + 10 edges × (edge 1 + node 1 + total 1 + payment 1 + amount 1 + 10 items × 2) + 20 notifications × (1 + order 1)
    { name: 'MyOrders', variables: {}, cost: 292 },
    { name: 'WatchOrder', variables: { orderId: 'o1' }, cost: 3 },
    // mutation 10 + product 1 + price 1 + stock 1 + input 1
    { name: 'CreateProduct', variables: { input: { sku: 'S', name: 'N', price: 100, currency: 'USD', initialStock: 0 } }, cost: 14 },
    { name: 'Restock', variables: { productId: 'p1', quantity: 5 }, cost: 11 },
  ])('$name with $variables costs $cost, within MAX_COST', ({ name, variables, cost }) => {
    expect(estimateCost(shop.model, shop.apiSchema, contract, name, variables)).toBe(cost);
    expect(cost).toBeLessThanOrEqual(costConfig.maxCost);
  });
});

describe('estimating a cost', () => {
  it('sizes a connection by a literal first', () => {
    expect(estimate('{ products(first: 3) { edges { node { id } } } }')).toBe(1 + 3 * 2);
  });

  it('sizes a list by first given as a variable, and by its default when the variable is omitted', () => {
    const query = 'query Q($n: Int) { me { notifications(first: $n) { id } } }';

    expect(estimate(query, { n: 7 })).toBe(1 + 7);
    expect(estimate(query, {})).toBe(1 + 20);
  });

  it('does not let a negative first lower the estimate below zero items', () => {
    expect(estimate('{ products(first: -50) { edges { node { id } } } }')).toBe(1);
  });

  it('refuses a cost bomb of nested first: 100 pages under the default MAX_COST', () => {
    const bomb = `{ me { orders(first: 100) { edges { node { customer {
      orders(first: 100) { edges { node { customer { notifications(first: 100) { id } } } } }
    } } } } } }`;

    // me 1 + orders 1 + 100 × (edge 1 + node 1 + customer 1 + orders 1 + 100 × (edge 1 + node 1 + customer 1 + 100))
    expect(estimate(bomb)).toBe(2 + 100 * (4 + 100 * 103));
    expect(estimate(bomb)).toBeGreaterThan(costConfig.maxCost);
  });

  it('prices aliased password checks by their weight, so a burst of sign-ins is over MAX_COST', () => {
    const signIns = (n: number) =>
      `mutation { ${Array.from({ length: n }, (_, i) => `s${i}: signIn(email: "a", password: "b") { token }`).join(' ')} }`;

    expect(estimate(signIns(1))).toBe(10 + 1_000);
    expect(estimate(signIns(4))).toBeLessThanOrEqual(costConfig.maxCost);
    expect(estimate(signIns(5))).toBe(10 + 5_000);
    expect(estimate(signIns(5))).toBeGreaterThan(costConfig.maxCost);
  });

  it('prices fragments as the selections they spread, inline or named', () => {
    const inline = estimate('{ products(first: 4) { edges { ... on ProductEdge { node { price { amount } } } } } }');
    const named = estimate('{ products(first: 4) { ...page } } fragment page on ProductConnection { edges { node { ...priced } } } fragment priced on Product { price { amount } }');

    expect(inline).toBe(1 + 4 * 3);
    expect(named).toBe(inline);
  });

  it('prices a fragment bomb in linear time', () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on User { id }` : `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`,
    );
    const document = parse(`query Bomb { me { ...F0 } } ${fragments.join(' ')}`);

    const started = performance.now();
    expect(estimateCost(shop.model, shop.apiSchema, document, 'Bomb', {})).toBe(1);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('leaves out what @skip and @include leave out, literally or through variables', () => {
    const query = 'query Q($withOrders: Boolean!) { me { orders(first: 10) @include(if: $withOrders) { totalCount } notifications @skip(if: true) { id } } }';

    expect(estimate(query, { withOrders: true })).toBe(1 + 1);
    expect(estimate(query, { withOrders: false })).toBe(1);
  });

  it('prices introspection and __typename as nothing', () => {
    expect(estimate('{ __typename __schema { types { name fields { name } } } me { __typename } }')).toBe(1);
  });

  it('adds the weight of a mutation once per operation', () => {
    expect(estimate('mutation { restock(productId: "p", quantity: 1) { available } cancelOrder(id: "o") { id } }')).toBe(10 + 1 + 10);
  });

  it('prices the operation operationName selects', () => {
    expect(estimateCost(shop.model, shop.apiSchema, contract, 'WatchOrder', {})).toBe(3);
    expect(() => estimateCost(shop.model, shop.apiSchema, contract, 'Missing', {})).toThrow(CostEstimateError);
  });
});

describe('the cost rules a supergraph declares', () => {
  let shelf: Graph;

  beforeAll(() => {
    shelf = composedGraph(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [
        "@key", { name: "@cost", as: "@weight" }, { name: "@listSize", as: "@size" }
      ])
      type Query {
        shelves(first: Int, last: Int): [Shelf!]! @size(slicingArguments: ["first", "last"])
        anyOf(first: Int, last: Int): [Shelf!]! @size(slicingArguments: ["first", "last"], requireOneSlicingArgument: false)
        everything: [Shelf!]!
        search(filter: Filter @weight(weight: 7)): Shelf
      }
      type Shelf @key(fields: "id") @weight(weight: 5) {
        id: ID!
        label: Label!
        rare: String @weight(weight: 3)
      }
      type Label { text: String! }
      input Filter { text: String tags: [String!] @weight(weight: 2) }
    `);
  });

  it('reads directives renamed on import', () => {
    expect(shelf.model.fieldWeight('Query', 'everything', 'Shelf')).toBe(5);
    expect(shelf.model.listSize('Query', 'shelves')?.slicingArguments).toEqual(['first', 'last']);
  });

  it('uses a type weight for fields of that type, and DEFAULT_LIST_SIZE for a list without @listSize', () => {
    expect(estimate('{ everything { id rare label { text } } }', {}, shelf)).toBe(costConfig.defaultListSize * (5 + 3 + 1));
  });

  it('refuses an estimate with COST_QUERY_PARSE_FAILURE when exactly one slicing argument is required and not given', () => {
    expect(estimate('{ shelves(first: 2) { id } }', {}, shelf)).toBe(10);
    for (const query of ['{ shelves { id } }', '{ shelves(first: 2, last: 3) { id } }']) {
      let error: unknown;
      try {
        estimate(query, {}, shelf);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CostEstimateError);
      expect((error as CostEstimateError).code).toBe('COST_QUERY_PARSE_FAILURE');
    }
  });

  it('takes the largest slicing argument when several may be given', () => {
    expect(estimate('{ anyOf(first: 2, last: 3) { id } }', {}, shelf)).toBe(15);
  });

  it('prices arguments as Router does: the input object by its weight, a weighted list and each of its items by the weight', () => {
    const query = 'query Q($f: Filter) { search(filter: $f) { id } }';

    expect(estimate(query, { f: { text: 'x', tags: ['a', 'b', 'c'] } }, shelf)).toBe(5 + 7 + 0 + (2 + 3 * 2));
    expect(estimate('{ search(filter: { tags: ["a"] }) { id } }', {}, shelf)).toBe(5 + 7 + (2 + 2));
    expect(estimate(query, { f: null }, shelf)).toBe(5);
  });
});

describe('a field that @requires others', () => {
  it('costs what it requires as well, selected or not', () => {
    const graph = composedGraph(
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])
       type Query { shelf: Shelf }
       type Shelf @key(fields: "id") { id: ID! size: Size! }
       type Size @shareable { width: Int! }`,
      `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@external", "@requires", "@shareable"])
       type Shelf @key(fields: "id") { id: ID! size: Size! @external fits: Boolean! @requires(fields: "size { width }") }
       type Size @shareable { width: Int! }`,
    );

    // shelf 1 + fits 0 + the Size it requires 1
    expect(estimate('{ shelf { fits } }', {}, graph)).toBe(2);
    expect(estimate('{ shelf { id } }', {}, graph)).toBe(1);
  });
});

describe('actual cost of a response', () => {
  const product = (id: string) => ({
    cursor: id,
    node: { id, sku: 'S', name: 'N', price: { amount: 100, currency: 'USD' }, inStock: true, stock: { available: 1, reserved: 0 } },
  });

  it('counts the objects a Catalog response returned, under its estimate', () => {
    const data = { products: { totalCount: 2, pageInfo: { hasNextPage: false, endCursor: 'p2' }, edges: [product('p1'), product('p2')] } };

    // products 1 + pageInfo 1 + 2 × (edge 1 + node 1 + price 1 + stock 1)
    expect(actualCost(shop.model, shop.apiSchema, contract, 'Catalog', { first: 20 }, data)).toBe(10);
    expect(estimateCost(shop.model, shop.apiSchema, contract, 'Catalog', { first: 20 })).toBe(82);
  });

  it('counts nothing for nulls and empty lists', () => {
    const data = {
      me: {
        id: 'u1',
        orders: { totalCount: 1, edges: [{ node: { id: 'o1', status: 'PENDING', cancellationReason: null, total: { amount: 1 }, payment: null, items: [] } }] },
        notifications: [],
      },
    };

    // me 1 + orders 1 + edge 1 + node 1 + total 1
    expect(actualCost(shop.model, shop.apiSchema, contract, 'MyOrders', {}, data)).toBe(5);
  });

  it('counts field weights and arguments of a mutation', () => {
    const data = { signUp: { token: 't', user: { id: 'u1', email: 'ada@example.com', name: 'Ada' } } };

    // signUp 1,000 + user 1 + the input object 1
    expect(actualCost(shop.model, shop.apiSchema, contract, 'SignUp', { input: signUpInput }, data)).toBe(1_002);
  });

  it('finds aliased fields by their response name and counts a name selected twice once', () => {
    const document = valid(shop, '{ a: me { id } b: me { name } me { id } me { name } }');
    const data = { a: { id: 'u1' }, b: { name: 'Ada' }, me: { id: 'u1', name: 'Ada' } };

    expect(actualCost(shop.model, shop.apiSchema, document, null, {}, data)).toBe(3);
  });

  it('follows fragments once each', () => {
    const document = valid(shop, '{ me { ...user ...user ... on User { orders(first: 1) { totalCount } } } } fragment user on User { id payment: orders(first: 2) { totalCount } }');
    const data = { me: { id: 'u1', payment: { totalCount: 0 }, orders: { totalCount: 0 } } };

    expect(actualCost(shop.model, shop.apiSchema, document, null, {}, data)).toBe(3);
  });

  it('costs nothing when there is no data', () => {
    expect(actualCost(shop.model, shop.apiSchema, contract, 'Catalog', {}, null)).toBe(0);
  });
});
