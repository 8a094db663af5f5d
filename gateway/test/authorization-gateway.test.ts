import { ApolloGateway } from '@apollo/gateway';
import type { Identity } from '@ficus/kit';
import { composeFromConfigFile } from '@ficus/schema-registry';
import { graphql, GraphQLResponse } from '@ficus/testkit';
import fs from 'node:fs';
import path from 'node:path';
import { build, GatewayHandle, readGatewayConfig } from '../src';
import { startTestGateway, TestGateway, writeSupergraphConfig } from './harness/test-gateway';
import { startTestSubgraph, TestSubgraph } from './harness/test-subgraph';
import { startTokenIssuer, TokenIssuer } from './harness/token-issuer';

const federation = (imports: string) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [${imports}])`;

const users = [
  { id: 'u1', name: 'Ada', email: 'ada@example.com' },
  { id: 'u2', name: 'Grace', email: 'grace@example.com' },
];

/** Who is who: `me` and `email` need a signed-in caller, `motd` and `users` do not. */
function startAccounts(): Promise<TestSubgraph> {
  return startTestSubgraph(
    'accounts',
    `
    ${federation('"@key", "@authenticated"')}
    type Query {
      motd: String!
      me: User @authenticated
      users: [User!]!
    }
    type User @key(fields: "id") {
      id: ID!
      name: String!
      email: String @authenticated
    }
    `,
    {
      Query: {
        motd: () => 'welcome',
        // Ada, whoever asks: here only the gateway keeps `me` from an anonymous caller.
        me: () => users[0],
        users: () => users,
      },
      User: { __resolveReference: ({ id }: { id: string }) => users.find((u) => u.id === id) ?? null },
    },
  );
}

/** The back office: a scoped mutation, fields behind policies and a non-null field behind sign-in. */
function startBackOffice(): Promise<TestSubgraph> {
  return startTestSubgraph(
    'backoffice',
    `
    ${federation('"@key", "@authenticated", "@requiresScopes", "@policy"')}
    type Query {
      report: Report
      account: Account
    }
    type Mutation {
      createProduct(name: String!): Product! @requiresScopes(scopes: [["catalog:write"]])
    }
    type Product {
      id: ID!
      name: String!
    }
    type Report {
      revenue: Int @policy(policies: [["finance"]])
      margin: Int @policy(policies: [["pricing"]])
    }
    type Account {
      id: ID!
      secret: String! @authenticated
    }
    type User @key(fields: "id") {
      id: ID!
      wishlist: [String!]!
    }
    `,
    {
      Query: {
        report: () => ({ revenue: 1200, margin: 300 }),
        account: () => ({ id: 'a1', secret: 'hunter2' }),
      },
      Mutation: { createProduct: (_: unknown, { name }: { name: string }) => ({ id: 'p1', name }) },
      User: {
        __resolveReference: ({ id }: { id: string }) => ({ id }),
        wishlist: () => ['mug'],
      },
    },
  );
}

const unauthorizedAt = (...paths: string[][]) =>
  paths.map((path) => ({ message: 'Unauthorized field or type', path, extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } }));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const errorsOf = (response: GraphQLResponse) => response.errors?.map(({ message, path, extensions }) => ({ message, path, extensions: { code: extensions?.code } }));

let issuer: TokenIssuer;
let accounts: TestSubgraph;
let backOffice: TestSubgraph;
let gateway: TestGateway;

beforeAll(async () => {
  issuer = await startTokenIssuer();
  accounts = await startAccounts();
  backOffice = await startBackOffice();
  gateway = await startTestGateway([accounts, backOffice], { env: { JWKS_URL: issuer.jwksUrl } });
});

afterAll(async () => {
  await gateway?.dispose();
  await accounts?.stop();
  await backOffice?.stop();
  await issuer?.stop();
});

const customer = () => issuer.sign({ sub: 'u1', email: 'ada@example.com', roles: ['customer'] });
const catalogAdmin = () => issuer.sign({ sub: 'u9', email: 'root@example.com', roles: ['admin'], scope: 'inventory:write catalog:write' });

describe('@authenticated through the gateway', () => {
  it('answers an anonymous me with null and UNAUTHORIZED_FIELD_OR_TYPE at ["me"], and serves the public field beside it', async () => {
    const response = await graphql(gateway.url, '{ motd me { id name } }');

    expect(response.data).toEqual({ motd: 'welcome', me: null });
    expect(errorsOf(response)).toEqual(unauthorizedAt(['me']));
  });

  it('answers an anonymous operation whose only field it may not see is skipped with empty data and no errors', async () => {
    const response = await graphql(gateway.url, '{ me @skip(if: true) { id } }');

    expect([response.status, response.data, response.errors]).toEqual([200, {}, undefined]);
  });

  it('serves me to a signed-in caller without errors', async () => {
    const response = await graphql(gateway.url, '{ motd me { id name } }', undefined, bearer(await customer()));

    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ motd: 'welcome', me: { id: 'u1', name: 'Ada' } });
  });

  it('nulls a field under a list in every item and reports it once, with @ for the list', async () => {
    const response = await graphql(gateway.url, '{ users { name email wishlist } }');

    expect(response.data.users).toEqual([
      { name: 'Ada', email: null, wishlist: ['mug'] },
      { name: 'Grace', email: null, wishlist: ['mug'] },
    ]);
    expect(errorsOf(response)).toEqual(unauthorizedAt(['users', '@', 'email']));
  });

  it('propagates the null of a non-null field it removed to the nullable parent', async () => {
    const response = await graphql(gateway.url, '{ motd account { id secret } }');

    expect(response.data).toEqual({ motd: 'welcome', account: null });
    expect(errorsOf(response)).toEqual(unauthorizedAt(['account', 'secret']));
  });
});

describe('@requiresScopes through the gateway', () => {
  const create = 'mutation { createProduct(name: "Mug") { id name } }';

  it('refuses a mutation to a signed-in caller without the scope, before any subgraph is called', async () => {
    const before = backOffice.requests.length + accounts.requests.length;

    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(await customer()) },
      body: JSON.stringify({ query: create }),
    });

    // Nothing of the operation is left to run: Router's answer, data null with status 200.
    expect(response.status).toBe(200);
    const { data, errors } = (await response.json()) as { data: unknown; errors: unknown };
    expect(data).toBeNull();
    expect(errors).toEqual(unauthorizedAt(['createProduct']));
    expect(backOffice.requests.length + accounts.requests.length).toBe(before);
  });

  it('serves the mutation to a caller whose token carries the scope', async () => {
    const response = await graphql(gateway.url, create, undefined, bearer(await catalogAdmin()));

    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ createProduct: { id: 'p1', name: 'Mug' } });
  });
});

describe('@policy through the gateway', () => {
  let withPolicies: GatewayHandle;
  let dir: string;
  const asked: { policies: string[]; identity: Identity | null }[] = [];

  beforeAll(async () => {
    ({ dir } = writeSupergraphConfig([accounts, backOffice]));
    withPolicies = await build(
      readGatewayConfig({ NODE_ENV: 'development', PORT: '0', LOG_LEVEL: 'silent', SUPERGRAPH_CONFIG: path.join(dir, 'supergraph.yaml'), JWKS_URL: issuer.jwksUrl }),
      {
        // Finance may read revenue; nobody is granted pricing.
        policies: (policies, identity) => {
          asked.push({ policies: [...policies], identity });
          return identity ? ['finance'] : [];
        },
      },
    );
  });

  afterAll(async () => {
    await withPolicies?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the field whose policy the hook grants and nulls the one it does not', async () => {
    const response = await graphql(withPolicies.url, '{ report { revenue margin } }', undefined, bearer(await customer()));

    expect(response.data).toEqual({ report: { revenue: 1200, margin: null } });
    expect(errorsOf(response)).toEqual(unauthorizedAt(['report', 'margin']));
    expect(asked.at(-1)).toEqual({ policies: expect.arrayContaining(['finance', 'pricing']), identity: expect.objectContaining({ userId: 'u1' }) });
  });

  it('denies every policy to an anonymous caller the hook grants nothing', async () => {
    const response = await graphql(withPolicies.url, '{ motd report { revenue margin } }');

    // A selection left empty is removed too, so report is null, as Router answers.
    expect(response.data).toEqual({ motd: 'welcome', report: null });
    expect(errorsOf(response)).toEqual(unauthorizedAt(['report', 'revenue'], ['report', 'margin']));
  });

  it('denies every policy on the gateway built without a hook', async () => {
    const response = await graphql(gateway.url, '{ motd report { revenue } }', undefined, bearer(await customer()));

    expect(response.data).toEqual({ motd: 'welcome', report: null });
    expect(errorsOf(response)).toEqual(unauthorizedAt(['report', 'revenue']));
  });
});

describe('a supergraph with authorization directives', () => {
  it('is refused by plain @apollo/gateway, which does not enforce them, and served by the Ficus gateway', async () => {
    const { dir, config } = writeSupergraphConfig([accounts, backOffice]);
    try {
      const outcome = await composeFromConfigFile(config);
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
      const silent = { debug() {}, info() {}, warn() {}, error() {} };

      await expect(new ApolloGateway({ supergraphSdl: outcome.supergraphSdl, logger: silent }).load()).rejects.toThrow(
        /feature https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\/v0\.1 is for: SECURITY but is unsupported/,
      );
      const served = await graphql(gateway.url, '{ motd }');
      expect(served.errors).toBeUndefined();
      expect(served.data).toEqual({ motd: 'welcome' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
