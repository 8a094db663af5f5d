import { errorCodes, waitFor } from '@ficus/testkit';
import { devAdmin, startTestStack, TestStack } from './stack-harness';

describe('the supergraph through the gateway, on PostgreSQL and NATS', () => {
  let t: TestStack;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestStack('storefront');
    adminToken = await t.signIn(devAdmin.email, devAdmin.password);
  });

  afterAll(async () => {
    await t?.dispose();
  });

  const newProduct = (sku: string, extra: Record<string, unknown> = {}) => ({
    input: { sku, name: `Product ${sku}`, price: 1999, initialStock: 5, ...extra },
  });

  it('signs a shopper up (SignUp) and lets them browse the catalog (Catalog)', async () => {
    const signUp = await t.send('SignUp', { input: { email: 'Ann@Example.com', name: 'Ann', password: 'correct horse' } });
    expect(signUp.errors).toBeUndefined();
    expect(signUp.data.signUp.user).toMatchObject({ email: 'ann@example.com', name: 'Ann' });
    expect(signUp.data.signUp.token).toMatch(/^ey/);

    const me = await t.request('{ me { id email } }', {}, signUp.data.signUp.token);
    expect(me.data.me).toEqual({ id: signUp.data.signUp.user.id, email: 'ann@example.com' });

    const catalog = await t.send('Catalog', { first: 10 });
    expect(catalog.errors).toBeUndefined();
    expect(catalog.data.products).toMatchObject({ pageInfo: { hasNextPage: expect.any(Boolean) }, totalCount: expect.any(Number) });
  });

  it('creates a product as admin (CreateProduct) whose stock comes from inventory, then restocks it (Restock)', async () => {
    const created = await t.send('CreateProduct', newProduct('E2E-MUG'), adminToken);
    expect(created.errors).toBeUndefined();
    expect(created.data.createProduct).toMatchObject({ sku: 'E2E-MUG', price: { amount: 1999, currency: 'USD' }, stock: { available: 5 } });
    const productId = created.data.createProduct.id as string;

    // Restock needs inventory's own stock row, which it creates on hearing products.product.created over NATS.
    const restocked = await waitFor(
      async () => {
        const res = await t.send('Restock', { productId, quantity: 3 }, adminToken);
        return res.errors ? null : res;
      },
      { what: 'inventory to hear of the new product' },
    );
    expect(restocked.data.restock).toEqual({ productId, available: 8, reserved: 0 });

    const catalog = await t.send('Catalog', { first: 50 });
    const edge = catalog.data.products.edges.find((e: any) => e.node.id === productId);
    expect(edge.node).toMatchObject({ sku: 'E2E-MUG', inStock: true, stock: { available: 8, reserved: 0 } });
  });

  it('pages the catalog with cursors across subgraphs', async () => {
    for (const sku of ['E2E-P1', 'E2E-P2', 'E2E-P3']) await t.send('CreateProduct', newProduct(sku), adminToken);
    const first = await t.send('Catalog', { first: 2 });
    const second = await t.send('Catalog', { first: 2, after: first.data.products.pageInfo.endCursor });
    expect(first.data.products.edges).toHaveLength(2);
    expect(first.data.products.pageInfo.hasNextPage).toBe(true);
    const seen = [...first.data.products.edges, ...second.data.products.edges].map((e: any) => e.node.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(second.data.products.edges[0].node.stock).toEqual({ available: expect.any(Number), reserved: 0 });
  });

  it('refuses bad tokens, non-admins and bad input with stable codes', async () => {
    const shopper = await t.send('SignUp', { input: { email: 'bob@example.com', name: 'Bob', password: 'password123' } });
    const shopperToken = shopper.data.signUp.token as string;

    expect(errorCodes(await t.send('Catalog', {}, 'not.a.jwt'))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await t.send('Catalog', {}, `${adminToken.slice(0, -4)}AAAA`))).toEqual(['UNAUTHENTICATED']);
    // createProduct needs the catalog:write scope (@requiresScopes): the gateway refuses it before products.
    expect(errorCodes(await t.send('CreateProduct', newProduct('E2E-ANON')))).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
    expect(errorCodes(await t.send('CreateProduct', newProduct('E2E-SHOP'), shopperToken))).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE']);
    expect(errorCodes(await t.send('CreateProduct', newProduct('E2E-NEG', { price: -1 }), adminToken))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await t.send('Restock', { productId: 'nope', quantity: -2 }, adminToken))).toEqual(['BAD_USER_INPUT']);
    await t.send('CreateProduct', newProduct('E2E-DUP'), adminToken);
    expect(errorCodes(await t.send('CreateProduct', newProduct('E2E-DUP'), adminToken))).toEqual(['CONFLICT']);
    expect(errorCodes(await t.send('SignUp', { input: { email: 'bob@example.com', name: 'Bob 2', password: 'password123' } }))).toEqual(['CONFLICT']);
    expect(errorCodes(await t.request('{ products { edges { node { id colour } } } }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(errorCodes(await t.send('Restock', { productId: 'x' }, adminToken))).toEqual(['BAD_USER_INPUT']);

    const malformed = await fetch(t.stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{' });
    expect(malformed.status).toBe(400);
  });

  it('commits createProduct while NATS is down, and inventory catches up once NATS is back', async () => {
    await t.nats.stop();
    const created = await t.send('CreateProduct', newProduct('E2E-OUTAGE', { initialStock: 4 }), adminToken);
    expect(created.errors).toBeUndefined();
    const productId = created.data.createProduct.id as string;

    // Inventory has not heard of it, so it cannot restock it yet.
    expect(errorCodes(await t.send('Restock', { productId, quantity: 1 }, adminToken))).toEqual(['NOT_FOUND']);

    await t.nats.start();
    const restocked = await waitFor(
      async () => {
        const res = await t.send('Restock', { productId, quantity: 1 }, adminToken);
        return res.errors ? null : res;
      },
      { timeoutMs: 45_000, intervalMs: 250, what: 'the outbox to deliver the event after NATS came back' },
    );
    expect(restocked.data.restock.available).toBe(5);
  });
});
