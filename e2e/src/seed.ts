import { graphql } from '@ficus/testkit';

const demoProducts = [
  { sku: 'FIG-POT-S', name: 'Terracotta pot, small', price: 1200, initialStock: 40, description: 'For a young fig.' },
  { sku: 'FIG-POT-L', name: 'Terracotta pot, large', price: 3400, initialStock: 12, description: 'For a fig that has outgrown the small one.' },
  { sku: 'FIG-TREE', name: 'Ficus carica sapling', price: 2900, initialStock: 8, description: 'Brown Turkey, two years old.' },
  { sku: 'FIG-FEED', name: 'Liquid feed, 1 l', price: 850, initialStock: 100, description: null },
  { sku: 'FIG-SHEARS', name: 'Pruning shears', price: 2200, initialStock: 0, description: 'Back in stock soon.' },
];

/**
 * Signs in as the development admin through the gateway and creates the demo catalog.
 * Products that already exist (a second `npm start`) are left as they are.
 */
export async function seedDemoCatalog(gatewayUrl: string, admin: { email: string; password: string }): Promise<number> {
  const signIn = await graphql(
    gatewayUrl,
    'mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }',
    admin,
  );
  const token = signIn.data?.signIn?.token as string | undefined;
  if (!token) throw new Error(`could not sign in as ${admin.email}: ${JSON.stringify(signIn.errors)}`);
  let created = 0;
  for (const input of demoProducts) {
    const res = await graphql(
      gatewayUrl,
      'mutation Seed($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      { input },
      { authorization: `Bearer ${token}` },
    );
    const codes = (res.errors ?? []).map((e) => e.extensions?.code);
    if (codes.length === 0) created += 1;
    else if (!codes.every((code) => code === 'CONFLICT')) {
      throw new Error(`seeding ${input.sku} failed: ${JSON.stringify(res.errors)}`);
    }
  }
  return created;
}
