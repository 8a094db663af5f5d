import { graphql, waitFor } from '@ficus/testkit';
import { Gate, startAccountsSubgraph, startReviewsSubgraph } from './harness/shop-subgraphs';
import { graphRef, RegistryGateway, startRegistryGateway, TestRegistry } from './harness/test-registry';
import type { TestSubgraph } from './harness/test-subgraph';

let registry: TestRegistry;
let accounts: TestSubgraph;
let reviews: TestSubgraph;
const gateways: RegistryGateway[] = [];

/** Accounts without `User.name`: a breaking change for any operation that selects it. */
const accountsWithoutName = () => accounts.sdl.replace(/\n\s*name: String!/, '');

interface AffectedOperation {
  name: string | null;
  count: number;
  clients: { name: string; version: string; count: number }[];
}

/** What a check of removing `User.name` says about the operations that use it. */
async function usersOfUserName(): Promise<AffectedOperation[]> {
  const res = await registry.gql(
    `mutation($input: CheckSubgraphInput!) {
      checkSubgraph(input: $input) {
        passed
        changes { code coordinate affectedOperations { name count clients { name version count } } }
      }
    }`,
    { input: { ref: graphRef, name: 'accounts', sdl: accountsWithoutName() } },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  const change = res.data.checkSubgraph.changes.find((c: { coordinate: string }) => c.coordinate === 'User.name');
  return change?.affectedOperations ?? [];
}

const sendAs = (gateway: RegistryGateway, query: string, client?: { name: string; version: string }) =>
  graphql(gateway.url, query, undefined, client ? { 'apollographql-client-name': client.name, 'apollographql-client-version': client.version } : {});

beforeAll(async () => {
  registry = await TestRegistry.create('gateway_usage');
  await registry.start();
  accounts = await startAccountsSubgraph(new Gate());
  reviews = await startReviewsSubgraph();
  await registry.mustPublish('accounts', accounts.sdl, accounts.url);
  await registry.mustPublish('reviews', reviews.sdl, reviews.url);
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.dispose();
  await registry?.dispose();
  await accounts?.stop();
  await reviews?.stop();
});

describe('usage reporting', () => {
  it('reports each operation with its client, coordinates and count, and a check that breaks it names them', async () => {
    const gateway = await startRegistryGateway(registry, { env: { USAGE_REPORT_INTERVAL_MS: '200' } });
    gateways.push(gateway);
    const storefront = { name: 'storefront', version: '1.4.0' };

    for (let i = 0; i < 3; i += 1) {
      const res = await sendAs(gateway, 'query Profile { user(id: "u1") { name reviews { body } } }', storefront);
      expect(res.errors).toBeUndefined();
    }
    // Another literal is the same operation: signatures strip literals.
    await sendAs(gateway, 'query Profile { user(id: "u2") { name reviews { body } } }', { name: 'admin', version: '2.0.0' });
    await sendAs(gateway, 'query Reviews { user(id: "u1") { reviews { body } } }', storefront);

    const affected = await waitFor(
      async () => {
        const operations = await usersOfUserName();
        return operations.find((o) => o.name === 'Profile')?.count === 4 ? operations : null;
      },
      { timeoutMs: 10_000, what: 'the Profile operations to reach the registry' },
    );

    expect(affected).toEqual([
      {
        name: 'Profile',
        count: 4,
        clients: expect.arrayContaining([
          { name: 'storefront', version: '1.4.0', count: 3 },
          { name: 'admin', version: '2.0.0', count: 1 },
        ]),
      },
    ]);
  });

  it('sends the last batch when the gateway stops', async () => {
    const gateway = await startRegistryGateway(registry, { env: { USAGE_REPORT_INTERVAL_MS: '600000' } });
    await sendAs(gateway, 'query Farewell { user(id: "u1") { name } }', { name: 'farewell', version: '1' });

    await gateway.dispose();

    const farewell = (await usersOfUserName()).find((o) => o.name === 'Farewell');
    expect(farewell).toEqual({ name: 'Farewell', count: 1, clients: [{ name: 'farewell', version: '1', count: 1 }] });
  });

  it('keeps usage while the registry is down, without failing a request, and delivers it once the registry is back', async () => {
    const gateway = await startRegistryGateway(registry, { env: { USAGE_REPORT_INTERVAL_MS: '200' } });
    gateways.push(gateway);
    await registry.stop();
    try {
      for (let i = 0; i < 5; i += 1) {
        const res = await sendAs(gateway, 'query WhileDown { user(id: "u1") { name } }', { name: 'patient', version: '1' });
        expect(res.errors).toBeUndefined();
      }
    } finally {
      await registry.start();
    }

    const whileDown = await waitFor(async () => (await usersOfUserName()).find((o) => o.name === 'WhileDown'), {
      timeoutMs: 15_000,
      what: 'the usage kept while the registry was down',
    });
    expect(whileDown).toEqual({ name: 'WhileDown', count: 5, clients: [{ name: 'patient', version: '1', count: 5 }] });
  });
});
