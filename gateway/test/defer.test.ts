import { GraphQLError } from 'graphql';
import { Gate } from './harness/shop-subgraphs';
import { startTestGateway, TestGateway } from './harness/test-gateway';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';

const deferAccept = 'multipart/mixed;deferSpec=20220824, application/json';

const products = [
  { id: 'p1', name: 'Kettle' },
  { id: 'p2', name: 'Teapot' },
  { id: 'p3', name: 'Mug' },
];
const stock: Record<string, number | null> = { p1: 4, p2: 0, p3: null };

/** The catalog: products and their names, answered at once. */
function startCatalog(): Promise<TestSubgraph> {
  return startTestSubgraph(
    'catalog',
    `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query {
      product(id: ID!): Product
      products: [Product!]!
    }
    type Product @key(fields: "id") {
      id: ID!
      name: String!
    }
    `,
    {
      Query: {
        product: (_: unknown, { id }: { id: string }) => products.find((p) => p.id === id) ?? null,
        products: () => products,
      },
      Product: { __resolveReference: ({ id }: { id: string }) => products.find((p) => p.id === id) ?? null },
    },
  );
}

/** The stock levels: slower, held by `gate` until the test lets them through; p3's level fails. */
function startStock(gate: Gate): Promise<TestSubgraph> {
  return startTestSubgraph(
    'stock',
    `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Product @key(fields: "id") {
      id: ID!
      available: Int!
      warehouse: String
    }
    `,
    {
      Product: {
        __resolveReference: ({ id }: { id: string }) => ({ id }),
        available: async ({ id }: { id: string }) => {
          await gate.wait();
          if (stock[id] === null) throw new GraphQLError(`no stock level for ${id}`, { extensions: { code: 'STOCK_UNKNOWN' } });
          return stock[id];
        },
        warehouse: () => 'north',
      },
    },
  );
}

/** Reads a multipart/mixed body part by part, as Apollo Client does: a part is whole when the next delimiter arrives. */
class MultipartReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly delimiter: string;
  private ended = false;

  constructor(response: Response) {
    const boundary = /;\s*boundary="?([^";]+)"?/.exec(response.headers.get('content-type') ?? '')?.[1] ?? '-';
    this.delimiter = `\r\n--${boundary}`;
    this.reader = response.body!.getReader();
  }

  /** The next part's JSON, or null after the closing delimiter. */
  async next(): Promise<Record<string, any> | null> {
    for (;;) {
      if (this.ended) return null;
      const at = this.buffer.indexOf(this.delimiter);
      if (at >= 0) {
        const part = this.buffer.slice(0, at);
        this.buffer = this.buffer.slice(at + this.delimiter.length);
        if (this.buffer.startsWith('--')) this.ended = true;
        const body = part.indexOf('\r\n\r\n');
        if (body >= 0) return JSON.parse(part.slice(body + 4));
        continue;
      }
      const { value, done } = await this.reader.read();
      if (done) throw new Error(`the body ended before its closing delimiter; left: ${JSON.stringify(this.buffer)}`);
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  async rest(): Promise<Record<string, any>[]> {
    const parts: Record<string, any>[] = [];
    for (let part = await this.next(); part; part = await this.next()) parts.push(part);
    return parts;
  }
}

let catalog: TestSubgraph;
let stockSubgraph: TestSubgraph;
let gateway: TestGateway;
const gate = new Gate();

beforeAll(async () => {
  catalog = await startCatalog();
  stockSubgraph = await startStock(gate);
  gateway = await startTestGateway([catalog, stockSubgraph]);
});

afterEach(() => gate.open());

afterAll(async () => {
  await gateway?.dispose();
  await catalog?.stop();
  await stockSubgraph?.stop();
});

/** Outside production the gateway adds the operation's cost to the last part: the tests compare the rest. */
const withoutCost = ({ extensions, ...rest }: Record<string, any>) => {
  expect(extensions === undefined || Object.keys(extensions).join() === 'cost').toBe(true);
  return rest;
};

const post = (query: string, accept: string, variables: Record<string, unknown> = {}) =>
  fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query, variables }) });

describe('@defer over multipart HTTP', () => {
  it('sends the product first, and its stock level in a later part at the product path with its label', async () => {
    gate.close();
    const response = await post('{ product(id: "p1") { id name ... @defer(label: "stock") { available warehouse } } }', deferAccept);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="-";deferSpec=20220824');
    const parts = new MultipartReader(response);

    // The stock subgraph is still held: this part cannot contain anything of it.
    expect(await parts.next()).toEqual({ data: { product: { id: 'p1', name: 'Kettle' } }, hasNext: true });
    gate.open();
    const rest = await parts.rest();
    expect(rest.map(withoutCost)).toEqual([{ incremental: [{ data: { available: 4, warehouse: 'north' }, path: ['product'], label: 'stock' }], hasNext: false }]);
    // The cost is measured on the whole response, once its last part is out.
    expect(rest[0]!.extensions).toEqual({ cost: { estimated: 1, actual: 1 } });
  });

  it('delivers a fragment deferred inside a list once per item, each with its index in the path, and keeps a failed item to its own payload', async () => {
    gate.close();
    const response = await post('{ products { id ... @defer { available } } }', deferAccept);
    const parts = new MultipartReader(response);
    expect(await parts.next()).toEqual({ data: { products: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }] }, hasNext: true });
    gate.open();
    const rest = await parts.rest();
    expect(rest).toHaveLength(1);
    expect(rest[0]!.hasNext).toBe(false);
    const [first, second, third] = rest[0]!.incremental;
    expect(first).toEqual({ data: { available: 4 }, path: ['products', 0] });
    expect(second).toEqual({ data: { available: 0 }, path: ['products', 1] });
    // available is non-null: p3's null stops at its fragment, and the error goes with it.
    expect(third).toMatchObject({ data: null, path: ['products', 2], errors: [{ message: 'no stock level for p3', path: ['products', 2, 'available'] }] });
  });

  it('defers a fragment on the root type: the root fields it selects come in a later part at the empty path', async () => {
    const response = await post('{ product(id: "p1") { id } ... @defer(label: "all") { products { name } } }', deferAccept);
    const parts = await new MultipartReader(response).rest();
    expect(parts.map(withoutCost)).toEqual([
      { data: { product: { id: 'p1' } }, hasNext: true },
      { incremental: [{ data: { products: [{ name: 'Kettle' }, { name: 'Teapot' }, { name: 'Mug' }] }, path: [], label: 'all' }], hasNext: false },
    ]);
  });

  it('defers a root fragment that holds a fragment deferred on what it selects', async () => {
    const response = await post('{ ... @defer { product(id: "p2") { name ... @defer { available } } } }', deferAccept);
    const parts = await new MultipartReader(response).rest();
    expect(parts.map(withoutCost)).toEqual([
      { data: {}, hasNext: true },
      { incremental: [{ data: { product: { name: 'Teapot' } }, path: [] }], hasNext: true },
      { incremental: [{ data: { available: 0 }, path: ['product'] }], hasNext: false },
    ]);
  });

  it('answers @defer(if: false) in one JSON response with every field', async () => {
    const response = await post('query Q($later: Boolean!) { product(id: "p2") { name ... @defer(if: $later) { available } } }', deferAccept, { later: false });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(withoutCost((await response.json()) as Record<string, any>)).toEqual({ data: { product: { name: 'Teapot', available: 0 } } });
  });

  it('answers a client that does not accept multipart in one JSON response, the deferred fields included', async () => {
    const response = await post('{ product(id: "p1") { name ... @defer(label: "stock") { available } } }', 'application/json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(withoutCost((await response.json()) as Record<string, any>)).toEqual({ data: { product: { name: 'Kettle', available: 4 } } });
  });

  it('defers a fragment whose @defer(if:) variable is true', async () => {
    const response = await post('query Q($later: Boolean!) { product(id: "p1") { name ... @defer(if: $later) { available } } }', deferAccept, { later: true });
    expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="-";deferSpec=20220824');
    const parts = await new MultipartReader(response).rest();
    expect(parts.map(withoutCost)).toEqual([{ data: { product: { name: 'Kettle' } }, hasNext: true }, { incremental: [{ data: { available: 4 }, path: ['product'] }], hasNext: false }]);
  });
});
