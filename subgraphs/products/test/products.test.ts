import { identityToHeaders, OutboxEvent, readSubgraphConfig, SubgraphHandle } from '@ficus/kit';
import { createTestDatabase, errorCodes, graphql, startTestNatsServer, TestDatabase, TestNatsServer, waitFor } from '@ficus/testkit';
import { jetstreamManager } from '@nats-io/jetstream';
import { build } from '../src/build';
import { Product } from '../src/domain/product';

const admin = identityToHeaders({ userId: 'u-admin', email: 'admin@example.com', roles: ['admin'] });
const customer = identityToHeaders({ userId: 'u-1', email: 'ann@example.com', roles: ['customer'] });

const CREATE = /* GraphQL */ `
  mutation CreateProduct($input: CreateProductInput!) {
    createProduct(input: $input) { id sku name description price { amount currency } }
  }
`;
const CATALOG = /* GraphQL */ `
  query Catalog($first: Int, $after: String, $filter: ProductFilter) {
    products(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id sku name price { amount } } }
    }
  }
`;

describe.each(['sqlite', 'postgres'] as const)('products subgraph on %s', (kind) => {
  let nats: TestNatsServer;
  let db: TestDatabase;
  let subgraph: SubgraphHandle;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    db = await createTestDatabase(kind, 'products');
    const config = readSubgraphConfig('products', 0, { NATS_URL: nats.url, LOG_LEVEL: 'warn' });
    subgraph = await build({ ...config, port: 0, database: db.target });
  });

  afterAll(async () => {
    await subgraph?.stop();
    await db?.drop();
    await nats?.dispose();
  });

  const create = (input: Record<string, unknown>, headers = admin) => graphql(subgraph.url, CREATE, { input }, headers);

  it('lets an admin create a product and publishes products.product.created to the PRODUCTS stream', async () => {
    const res = await create({ sku: 'MUG-1', name: 'Mug', price: 1250, initialStock: 7 });
    expect(res.errors).toBeUndefined();
    expect(res.data.createProduct).toMatchObject({ sku: 'MUG-1', name: 'Mug', price: { amount: 1250, currency: 'USD' } });

    const jsm = await jetstreamManager(subgraph.nats);
    const message = await waitFor(() => jsm.streams.getMessage('PRODUCTS', { last_by_subj: 'products.product.created' }).catch(() => null), {
      what: 'the event in the PRODUCTS stream',
    });
    const event = message.json<{ id: string; type: string; data: { productId: string; initialStock: number } }>();
    expect(event.type).toBe('products.product.created');
    expect(event.data).toMatchObject({ productId: res.data.createProduct.id, initialStock: 7 });
    expect(message.header.get('Nats-Msg-Id')).toBe(event.id);
  });

  it('refuses anonymous callers and non-admins', async () => {
    expect(errorCodes(await create({ sku: 'X-1', name: 'X', price: 1 }, {}))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await create({ sku: 'X-1', name: 'X', price: 1 }, customer))).toEqual(['FORBIDDEN']);
  });

  it('rejects a negative price or stock with BAD_USER_INPUT and writes nothing', async () => {
    const before = await subgraph.orm.em.fork().count(OutboxEvent, {});
    const res = await create({ sku: 'NEG-1', name: 'Bad', price: -1, initialStock: -5 });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.fields).toEqual([
      { field: 'price', message: 'must not be negative' },
      { field: 'initialStock', message: 'must not be negative' },
    ]);
    const em = subgraph.orm.em.fork();
    expect(await em.count(Product, { sku: 'NEG-1' })).toBe(0);
    expect(await em.count(OutboxEvent, {})).toBe(before);
  });

  it('rejects a duplicate SKU with CONFLICT', async () => {
    await create({ sku: 'DUP-1', name: 'First', price: 100 });
    const res = await create({ sku: 'DUP-1', name: 'Second', price: 200 });
    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(await subgraph.orm.em.fork().count(Product, { sku: 'DUP-1' })).toBe(1);
  });

  it('pages through the catalog newest first with a total count and filters', async () => {
    for (const [sku, price] of [['PG-A', 100], ['PG-B', 200], ['PG-C', 300]] as const) {
      await create({ sku, name: `Paged ${sku}`, price });
    }
    const first = await graphql(subgraph.url, CATALOG, { first: 2, filter: { search: 'paged' } });
    expect(first.data.products.totalCount).toBe(3);
    expect(first.data.products.edges.map((e: any) => e.node.sku)).toEqual(['PG-C', 'PG-B']);
    expect(first.data.products.pageInfo.hasNextPage).toBe(true);

    const second = await graphql(subgraph.url, CATALOG, { first: 2, after: first.data.products.pageInfo.endCursor, filter: { search: 'PAGED' } });
    expect(second.data.products.edges.map((e: any) => e.node.sku)).toEqual(['PG-A']);
    expect(second.data.products.pageInfo).toEqual({ hasNextPage: false, endCursor: second.data.products.edges[0].cursor });

    const priced = await graphql(subgraph.url, CATALOG, { filter: { search: 'paged', minPrice: 150, maxPrice: 250 } });
    expect(priced.data.products.edges.map((e: any) => e.node.sku)).toEqual(['PG-B']);
  });

  it('searches for % and _ as the characters they are, not as wildcards', async () => {
    await create({ sku: 'PCT-1', name: 'Socks 50%off', price: 100 });
    await create({ sku: 'SNAKE-1', name: 'snake_case mug', price: 100 });
    await create({ sku: 'SNAKEX-1', name: 'snakeXcase mug', price: 100 });
    const found = async (search: string) =>
      (await graphql(subgraph.url, CATALOG, { filter: { search } })).data.products.edges.map((e: any) => e.node.sku).sort();
    expect(await found('50%off')).toEqual(['PCT-1']);
    expect(await found('snake_case')).toEqual(['SNAKE-1']);
    expect(await found('%')).toEqual(['PCT-1']);
    expect(await found('snake')).toEqual(['SNAKE-1', 'SNAKEX-1']);
  });

  it('refuses a search longer than any name and SKU with BAD_USER_INPUT, not a database error', async () => {
    const res = await graphql(subgraph.url, CATALOG, { filter: { search: 's'.repeat(100_000) } });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.message).toMatch(/filter\.search: at most 300 characters/);
    expect(errorCodes(await graphql(subgraph.url, CATALOG, { filter: { search: 's'.repeat(300) } }))).toEqual([]);
  });

  it('rejects a forged cursor and an oversized page with BAD_USER_INPUT', async () => {
    expect(errorCodes(await graphql(subgraph.url, CATALOG, { after: 'not-a-cursor!' }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await graphql(subgraph.url, CATALOG, { first: 1000 }))).toEqual(['BAD_USER_INPUT']);
  });

  it('resolves 50 product references in one _entities call with one SQL query', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await create({ sku: `ENT-${i}`, name: `Entity ${i}`, price: i });
      ids.push(res.data.createProduct.id);
    }
    const queries: string[] = [];
    const unsubscribe = subgraph.queryLog.subscribe((sql) => queries.push(sql));
    const res = await graphql(
      subgraph.url,
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { id sku } } }`,
      { representations: [...ids.map((id) => ({ __typename: 'Product', id })), { __typename: 'Product', id: 'missing' }] },
    );
    unsubscribe();
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toHaveLength(51);
    expect(res.data._entities[49]).toEqual({ id: ids[49], sku: 'ENT-49' });
    expect(res.data._entities[50]).toBeNull();
    // The outbox relay polls in the background; count only what touched the products table.
    expect(queries.filter((q) => /\bproducts\b/.test(q))).toHaveLength(1);
  });

  it('answers /health and /ready', async () => {
    const base = subgraph.url.replace('/graphql', '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect((await ready.json()) as unknown).toEqual({ status: 'ready', checks: { database: 'up', nats: 'up' } });
  });

  it('serves Prometheus metrics for operations and the outbox', async () => {
    const res = await fetch(subgraph.url.replace('/graphql', '/metrics'));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/ficus_graphql_operation_seconds_count\{[^}]*operation="CreateProduct"[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/ficus_outbox_published_total\{[^}]*\} [1-9]/);
    // The relay publishes after the commit, so the backlog reaches 0 shortly after the last mutation.
    await waitFor(async () => /ficus_outbox_pending\{service="products"\} 0\n/.test(await (await fetch(subgraph.url.replace('/graphql', '/metrics'))).text()), {
      what: 'the outbox backlog gauge to read 0',
    });
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

});
