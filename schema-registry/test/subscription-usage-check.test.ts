import { ficus, ScratchFolder, startRegistryForCli } from './cli-harness';
import { publish, reportUsage, TestRegistry } from './registry-harness';

let t: TestRegistry;
let env: Record<string, string>;
const scratch = new ScratchFolder('ficus-subscription-check-');

const ordersSdl = (subscriptionFields: string[]): string => `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { order(id: ID!): Order }
type Subscription {
${subscriptionFields.map((field) => `  ${field}`).join('\n')}
}
type Order @key(fields: "id") { id: ID! status: String! }
`;

const orderChanged = 'orderChanged(id: ID!): Order';
const orderCancelled = 'orderCancelled(id: ID!): Order';
// Another Subscription field stays, so the removal is one field and not the whole root type.
const published = ordersSdl([orderChanged, orderCancelled]);
const withoutOrderChanged = ordersSdl([orderCancelled]);

// As the gateway reports them: Apollo's signature (literals stripped) and the coordinates on the API schema.
const onOrder = {
  signature: 'subscription OnOrder{orderChanged(id:""){id}}',
  operationName: 'OnOrder',
  clientName: 'storefront',
  clientVersion: '2.3.0',
  coordinates: ['Order.id', 'Subscription.orderChanged'],
  count: 7,
};
const orderById = {
  signature: 'query OrderById{order(id:""){status}}',
  operationName: 'OrderById',
  clientName: 'storefront',
  clientVersion: '2.3.0',
  coordinates: ['Order.status', 'Query.order'],
  count: 12,
};

async function reportAccepted(ref: string, operations: (typeof onOrder)[]): Promise<void> {
  const sent = await reportUsage(t, ref, operations);
  expect(sent.status).toBe(202);
}

const checkOrders = (ref: string, sdl: string) =>
  ficus(['subgraph', 'check', ref, '--name', 'orders', '--schema', scratch.file(`${ref.replace('@', '-')}.graphql`, sdl)], env);

beforeAll(async () => {
  t = await startRegistryForCli('subscription_usage_check');
  env = { FICUS_REGISTRY_URL: t.registry.baseUrl, FICUS_API_KEY: t.keys.all };
});

afterAll(async () => {
  await t?.stop();
  scratch.remove();
});

describe('ficus subgraph check weighs Subscription fields against usage as it does Query and Mutation fields', () => {
  it('fails with exit 1 the removal of Subscription.orderChanged while a client subscribes to it, naming the field and the OnOrder operation', async () => {
    await publish(t, 'shop@subscribed', 'orders', published);
    await reportAccepted('shop@subscribed', [onOrder]);

    const run = await checkOrders('shop@subscribed', withoutOrderChanged);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED');
    expect(run.stdout).toMatch(/✗ BREAKING\s+FIELD_REMOVED\s+Subscription\.orderChanged/);
    expect(run.stdout).toContain('used by operation OnOrder (7 requests; storefront 2.3.0: 7)');
    expect(run.stderr).toBe('error: check failed: 1 breaking change(s): FIELD_REMOVED Subscription.orderChanged (used by OnOrder by storefront 2.3.0)\n');
  });

  it('passes with exit 0 the same removal when the usage in the window holds no operation that subscribes to orderChanged', async () => {
    await publish(t, 'shop@unsubscribed', 'orders', published);
    await reportAccepted('shop@unsubscribed', [orderById]);

    const run = await checkOrders('shop@unsubscribed', withoutOrderChanged);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('PASSED');
    expect(run.stdout).toMatch(/! BREAKING\s+FIELD_REMOVED\s+Subscription\.orderChanged.*\n\s+no operation in the window uses it/);
  });

  it('fails the removal of the whole Subscription type while a client subscribes to one of its fields, naming the OnOrder operation', async () => {
    await publish(t, 'shop@last-subscription', 'orders', ordersSdl([orderChanged]));
    await reportAccepted('shop@last-subscription', [onOrder, orderById]);

    const run = await checkOrders('shop@last-subscription', `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Query { order(id: ID!): Order }
type Order @key(fields: "id") { id: ID! status: String! }
`);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ BREAKING\s+TYPE_REMOVED\s+Subscription\b/);
    expect(run.stderr).toBe('error: check failed: 1 breaking change(s): TYPE_REMOVED Subscription (used by OnOrder by storefront 2.3.0)\n');
  });
});
