import { graphql } from '@ficus/testkit';
import { benchAdmin } from './bench-stack';

export interface BenchShopper {
  token: string;
  /** Places an order of one unit of the benchmark's product, paid with the shopper's payment token (through `via`, another gateway, if given). */
  place(idempotencyKey: string, via?: string): Promise<any>;
}

/**
 * A product with a large stock (created by the admin) and a shopper who can order it. Returns
 * once orders has heard of the product: the first placements fail until its event arrives.
 */
export async function benchShopper(url: string, options: { sku: string; email: string; paymentToken: string }): Promise<BenchShopper> {
  const admin = await graphql(url, 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }', {
    e: benchAdmin.email,
    p: benchAdmin.password,
  });
  const product = await graphql(
    url,
    'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
    { input: { sku: options.sku, name: 'Bench', price: 100, initialStock: 1_000_000 } },
    { authorization: `Bearer ${admin.data.signIn.token}` },
  );
  const productId = product.data.createProduct.id as string;
  const shopper = await graphql(url, 'mutation($input: SignUpInput!) { signUp(input: $input) { token } }', {
    input: { email: options.email, name: 'Bench Shopper', password: 'password123' },
  });
  const token = shopper.data.signUp.token as string;
  const place = (idempotencyKey: string, via = url) =>
    graphql(
      via,
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
      { input: { items: [{ productId, quantity: 1 }], paymentToken: options.paymentToken, idempotencyKey } },
      { authorization: `Bearer ${token}` },
    );
  for (let i = 0; ; i++) {
    const res = await place(`warmup-${i}`);
    if (!res.errors) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { token, place };
}
