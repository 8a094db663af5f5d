import { devAdmin, startTestStack, TestStack } from './stack-harness';

/** What Apollo Client 4 sends for an operation with @defer (its Defer20220824Handler). */
const apolloClientAccept = 'multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9';

/**
 * Reads a multipart body the way Apollo Client's HttpLink does (consumeMultipartBody): the
 * boundary from the content type (`-` when none), a part taken when the delimiter after it
 * arrives, its JSON after the blank line, the end at the closing delimiter. Each result is
 * merged as Apollo Client's Defer20220824Handler merges it: incremental data at its path.
 */
async function readAsApolloClient(response: Response): Promise<{ results: Record<string, any>[]; merged: Record<string, any> }> {
  const match = response.headers.get('content-type')?.match(/;\s*boundary=(?:'([^']+)'|"([^"]+)"|([^"'].+?))\s*(?:;|$)/i);
  const boundary = '\r\n--' + (match ? (match[1] ?? match[2] ?? match[3] ?? '-') : '-');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const results: Record<string, any>[] = [];
  let buffer = '';
  let encounteredBoundary = false;
  const passedFinalBoundary = () => encounteredBoundary && buffer.startsWith('--');
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value, { stream: !done });
    let at = buffer.indexOf(boundary);
    while (at > -1 && !passedFinalBoundary()) {
      encounteredBoundary = true;
      const message = buffer.slice(0, at);
      buffer = buffer.slice(at + boundary.length);
      const headerEnd = message.indexOf('\r\n\r\n');
      const body = message.slice(headerEnd);
      if (body.trim()) {
        expect(message.slice(0, headerEnd).toLowerCase()).toContain('content-type: application/json');
        results.push(JSON.parse(body));
      }
      at = buffer.indexOf(boundary);
    }
    if (passedFinalBoundary()) break;
    if (done) throw new Error('premature end of multipart body');
  }
  const merged: Record<string, any> = { data: {} };
  for (const result of results) {
    if (!result.incremental) {
      merged.data = deepMerge(merged.data, structuredClone(result.data));
      continue;
    }
    for (const item of result.incremental) {
      let target = merged.data;
      for (const key of item.path) target = target[key];
      deepMerge(target, structuredClone(item.data ?? {}));
      if (item.errors) merged.errors = [...(merged.errors ?? []), ...item.errors];
    }
  }
  return { results, merged };
}

function deepMerge(target: any, source: any): any {
  for (const [key, value] of Object.entries(source ?? {})) {
    if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object') deepMerge(target[key], value);
    else target[key] = value;
  }
  return target;
}

describe('@defer through the gateway on the real stack', () => {
  let t: TestStack;
  let adminToken: string;

  beforeAll(async () => {
    t = await startTestStack('defer');
    adminToken = await t.signIn(devAdmin.email, devAdmin.password);
  });

  afterAll(async () => {
    await t?.dispose();
  });

  it('sends a product first and its stock level from inventory in a later part, which Apollo Client merges into the product', async () => {
    const created = await t.request(
      'mutation Create($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input: { sku: 'E2E-DEFER', name: 'Deferred kettle', price: 2599, initialStock: 7 } },
      adminToken,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data.createProduct.id as string;

    const response = await fetch(t.stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: apolloClientAccept, 'apollo-require-preflight': 'true' },
      body: JSON.stringify({
        operationName: 'ProductPage',
        query: `query ProductPage($id: ID!) {
          product(id: $id) {
            id
            name
            price { amount currency }
            ... @defer(label: "stock") { inStock stock { available reserved } }
          }
        }`,
        variables: { id },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('multipart/mixed;boundary="-";deferSpec=20220824');
    const { results, merged } = await readAsApolloClient(response);

    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({ data: { product: { id, name: 'Deferred kettle', price: { amount: 2599, currency: 'USD' } } }, hasNext: true });
    expect(results[1]).toMatchObject({ incremental: [{ data: { inStock: true, stock: { available: 7, reserved: 0 } }, path: ['product'], label: 'stock' }], hasNext: false });
    expect(merged).toEqual({
      data: { product: { id, name: 'Deferred kettle', price: { amount: 2599, currency: 'USD' }, inStock: true, stock: { available: 7, reserved: 0 } } },
    });
  });
});
