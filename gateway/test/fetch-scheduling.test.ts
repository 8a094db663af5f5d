import { graphql, waitFor } from '@ficus/testkit';
import { maxFetchesLoosened, withFetchesWaitingOnlyForTheirInputs } from '../src/engine/ficus/plan/fetch-dependencies';
import type { FetchNode, PlanNode, RequiresSelection } from '../src/engine/ficus/plan/query-plan';
import { Gate } from './harness/shop-subgraphs';
import { startTestGateway, TestGateway } from './harness/test-gateway';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';

const key = (name: string): RequiresSelection => ({ kind: 'Field', name, alias: null, source: null, selections: null });

function fetch(serviceName: string, operation: string, requires: RequiresSelection[] | null, operationKind: FetchNode['operationKind'] = 'query'): FetchNode {
  return { kind: 'Fetch', serviceName, operation, operationName: null, operationKind, variableUsages: [], requires, inputRewrites: [], outputRewrites: [], id: null };
}

/** An entity fetch at a path of fields, each list-valued, filling in `fields` of the entities there. */
function entities(serviceName: string, path: string[], fields: string, requires: RequiresSelection[] = [key('__typename'), key('upc')]): PlanNode {
  return {
    kind: 'Flatten',
    path: path.flatMap((name) => [{ kind: 'field' as const, name }, { kind: 'list' as const }]),
    node: fetch(serviceName, `query($representations:[_Any!]!){_entities(representations:$representations){...on T{${fields}}}}`, requires),
  };
}

const topProducts = fetch('products', '{topProducts{__typename upc name}}', null);
const reviews = entities('reviews', ['topProducts'], 'reviews{author{__typename id}}');
const stock = entities('inventory', ['topProducts'], 'inStock');
const authors = entities('users', ['topProducts', 'reviews', 'author'], 'username', [key('__typename'), key('id')]);

describe('a query plan whose fetches wait only for the fetches they read from', () => {
  it('chains a fetch to the one fetch of the stage before whose data it reads, and runs the others of that stage beside the chain', () => {
    const plan = { node: { kind: 'Sequence', nodes: [topProducts, { kind: 'Parallel', nodes: [reviews, stock] }, authors] } as PlanNode };

    expect(withFetchesWaitingOnlyForTheirInputs(plan).node).toEqual({
      kind: 'Sequence',
      nodes: [topProducts, { kind: 'Parallel', nodes: [{ kind: 'Sequence', nodes: [reviews, authors] }, stock] }],
    });
  });

  it('chains a fetch whose @requires reads a field another subgraph fills in to that fetch', () => {
    const shipping = entities('shipping', ['topProducts'], 'shippingCost', [key('__typename'), key('upc'), key('inStock')]);
    const plan = { node: { kind: 'Sequence', nodes: [topProducts, { kind: 'Parallel', nodes: [reviews, stock] }, shipping] } as PlanNode };

    expect(withFetchesWaitingOnlyForTheirInputs(plan).node).toEqual({
      kind: 'Sequence',
      nodes: [topProducts, { kind: 'Parallel', nodes: [{ kind: 'Sequence', nodes: [stock, shipping] }, reviews] }],
    });
  });

  it('keeps the stages when a fetch reads what every fetch of the stage before fills in', () => {
    const reviewed: RequiresSelection = { kind: 'Field', name: 'reviews', alias: null, source: null, selections: [key('body')] };
    const ranking = entities('ranking', ['topProducts'], 'rank', [key('__typename'), key('upc'), key('inStock'), reviewed]);
    const plan = { node: { kind: 'Sequence', nodes: [topProducts, { kind: 'Parallel', nodes: [reviews, stock] }, ranking] } as PlanNode };

    expect(withFetchesWaitingOnlyForTheirInputs(plan)).toEqual(plan);
  });

  it('keeps the order of two fetches that fill in the same field', () => {
    const stockAgain = entities('warehouse', ['topProducts'], 'inStock');
    const plan = { node: { kind: 'Sequence', nodes: [topProducts, reviews, stockAgain] } as PlanNode };

    expect(withFetchesWaitingOnlyForTheirInputs(plan)).toEqual({
      node: { kind: 'Sequence', nodes: [topProducts, { kind: 'Parallel', nodes: [reviews, stockAgain] }] },
    });
    const twice = { node: { kind: 'Sequence', nodes: [topProducts, stock, stockAgain] } as PlanNode };
    expect(withFetchesWaitingOnlyForTheirInputs(twice)).toEqual(twice);
  });

  it('keeps a fetch whose path takes only some types after the fetch that fills in the __typename of those objects', () => {
    const typed = entities('reviews', ['topProducts'], '__typename kind');
    const books: PlanNode = {
      kind: 'Flatten',
      path: [{ kind: 'field', name: 'topProducts' }, { kind: 'list' }, { kind: 'types', names: ['Book'] }],
      node: fetch('books', 'query($representations:[_Any!]!){_entities(representations:$representations){...on Book{pages}}}', [key('upc')]),
    };
    const plan = { node: { kind: 'Sequence', nodes: [topProducts, typed, books] } as PlanNode };

    expect(withFetchesWaitingOnlyForTheirInputs(plan)).toEqual(plan);
  });

  it('leaves a plan of more fetches than it compares (a hostile query) as planned, and loosens one at the limit', () => {
    const independent = (n: number) => Array.from({ length: n }, (_, i) => entities(`s${i}`, ['topProducts'], `f${i}`));
    const planOf = (n: number) => ({ node: { kind: 'Sequence', nodes: [topProducts, ...independent(n)] } as PlanNode });

    expect(withFetchesWaitingOnlyForTheirInputs(planOf(maxFetchesLoosened))).toEqual(planOf(maxFetchesLoosened));
    const atLimit = withFetchesWaitingOnlyForTheirInputs(planOf(maxFetchesLoosened - 1)).node as { kind: string; nodes: PlanNode[] };
    expect(atLimit.nodes).toEqual([topProducts, { kind: 'Parallel', nodes: independent(maxFetchesLoosened - 1) }]);
  });

  it('leaves a mutation, and a fetch with rewrites, in the order planned', () => {
    const mutation = fetch('orders', 'mutation{placeOrder{__typename upc}}', null, 'mutation');
    const mutationPlan = { node: { kind: 'Sequence', nodes: [mutation, fetch('products', '{topProducts{upc}}', null, 'mutation')] } as PlanNode };
    expect(withFetchesWaitingOnlyForTheirInputs(mutationPlan)).toEqual(mutationPlan);

    const rewritten: PlanNode = { kind: 'Flatten', path: [{ kind: 'field', name: 'topProducts' }], node: { ...(stock as { node: FetchNode }).node, inputRewrites: [{ kind: 'ValueSetter', path: [], setValueTo: 'T' }] } };
    const rewrittenPlan = { node: { kind: 'Sequence', nodes: [topProducts, reviews, rewritten] } as PlanNode };
    expect(withFetchesWaitingOnlyForTheirInputs(rewrittenPlan)).toEqual(rewrittenPlan);
  });
});

describe('a gateway running such a plan', () => {
  const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
  const stockGate = new Gate();
  const usersAsked: number[] = [];
  let subgraphs: TestSubgraph[];
  let gateway: TestGateway;

  beforeAll(async () => {
    subgraphs = await Promise.all([
      startTestSubgraph('products', `${link}\ntype Query { topProducts: [Product!]! }\ntype Product @key(fields: "upc") { upc: ID! name: String! }`, {
        Query: { topProducts: () => [{ upc: 'p1', name: 'Lamp' }] },
        Product: { __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc, name: 'Lamp' }) },
      }),
      startTestSubgraph(
        'reviews',
        `${link}\ntype Product @key(fields: "upc") { upc: ID! reviews: [Review!]! }\ntype Review { body: String! author: User! }\ntype User @key(fields: "id", resolvable: false) { id: ID! }`,
        { Product: { reviews: () => [{ body: 'Bright', author: { id: 'u1' } }] } },
      ),
      startTestSubgraph('inventory', `${link}\ntype Product @key(fields: "upc") { upc: ID! inStock: Boolean! }`, {
        Product: {
          inStock: async () => {
            await stockGate.wait();
            return true;
          },
        },
      }),
      startTestSubgraph('users', `${link}\ntype User @key(fields: "id") { id: ID! username: String! }`, {
        User: {
          __resolveReference: (ref: { id: string }) => {
            usersAsked.push(Date.now());
            return { id: ref.id, username: 'ada' };
          },
        },
      }),
    ]);
    gateway = await startTestGateway(subgraphs);
  });

  afterAll(async () => {
    stockGate.open();
    await gateway?.dispose();
    await Promise.all((subgraphs ?? []).map((s) => s.stop()));
  });

  it("asks for the reviews' authors while the stock of the products is still on its way, and answers with both", async () => {
    stockGate.close();
    const answer = graphql(gateway.url, '{ topProducts { name inStock reviews { body author { username } } } }');
    await waitFor(() => usersAsked.length > 0, { what: 'the users subgraph to be asked for the authors while inventory holds its answer', timeoutMs: 5_000 });
    stockGate.open();

    const response = await answer;
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ topProducts: [{ name: 'Lamp', inStock: true, reviews: [{ body: 'Bright', author: { username: 'ada' } }] }] });
  });
});
