import { devAdmin, startTestStack, TestStack } from './stack-harness';

/** The scopes a token's `scope` claim grants (the users subgraph signed it; the gateway verifies it). */
const scopesOf = (token: string): string[] => {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { scope?: string };
  return claims.scope?.split(' ') ?? [];
};

const unauthorizedAt = (path: string[]) => [{ message: 'Unauthorized field or type', path, extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } }];

describe('authorization directives enforced by the gateway, on the real stack', () => {
  let t: TestStack;
  let adminToken: string;
  let customerToken: string;

  beforeAll(async () => {
    t = await startTestStack('authorization');
    adminToken = await t.signIn(devAdmin.email, devAdmin.password);
    const signUp = await t.send('SignUp', { input: { email: 'cleo@example.com', name: 'Cleo', password: 'password123' } });
    customerToken = signUp.data.signUp.token as string;
  });

  afterAll(async () => {
    await t?.dispose();
  });

  /** GraphQL operations the products subgraph has served so far, from its /metrics. */
  async function productsOperations(): Promise<number> {
    const metrics = await (await fetch(t.stack.urls.products!.replace(/\/graphql$/, '/metrics'))).text();
    return metrics
      .split('\n')
      .filter((line) => line.startsWith('ficus_graphql_operation_seconds_count'))
      .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
  }

  const newProduct = (sku: string) => ({ input: { sku, name: `Product ${sku}`, price: 500, initialStock: 1 } });

  it('answers an anonymous me with null and UNAUTHORIZED_FIELD_OR_TYPE at ["me"], serving the catalog beside it', async () => {
    const response = await t.request('{ me { id email } products(first: 1) { totalCount } }');

    expect(response.status).toBe(200);
    expect(response.data).toEqual({ me: null, products: { totalCount: expect.any(Number) } });
    expect(response.errors).toEqual(unauthorizedAt(['me']));
  });

  it('refuses createProduct to a signed-in customer at the gateway, without calling products', async () => {
    expect(scopesOf(customerToken)).toEqual([]);
    const before = await productsOperations();

    const response = await t.send('CreateProduct', newProduct('AUTHZ-SHOP'), customerToken);

    expect(response.status).toBe(200);
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual(unauthorizedAt(['createProduct']));
    expect(await productsOperations()).toBe(before);
    const catalog = await t.send('Catalog', { first: 50 });
    expect(catalog.data.products.edges.map((edge: { node: { sku: string } }) => edge.node.sku)).not.toContain('AUTHZ-SHOP');
  });

  it('lets the admin, whose token carries catalog:write, create the product', async () => {
    expect(scopesOf(adminToken)).toEqual(expect.arrayContaining(['catalog:write', 'inventory:write']));

    const before = await productsOperations();

    const response = await t.send('CreateProduct', newProduct('AUTHZ-ADMIN'), adminToken);

    expect(response.errors).toBeUndefined();
    expect(response.data.createProduct).toMatchObject({ sku: 'AUTHZ-ADMIN', name: 'Product AUTHZ-ADMIN', stock: { available: 1 } });
    // The count the refusal above left unchanged does move when products is called.
    expect(await productsOperations()).toBeGreaterThan(before);
  });
});
