import { errorCodes, graphql, recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { startSignedSubgraph } from './harness/signed-subgraph';
import { startTestGateway, TestGateway } from './harness/test-gateway';
import type { TestSubgraph } from './harness/test-subgraph';
import { startTokenIssuer, TokenIssuer } from './harness/token-issuer';

const secret = 'the-secret-this-gateway-shares-with-its-subgraphs';
const ada = { sub: 'u1', email: 'ada@example.com', roles: ['customer'] };

interface Caller {
  userId: string | null;
  clientAddress: string | null;
}

const accountsSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { whoami: Seen! }
  type Mutation { rename(name: String!): User! }
  type Subscription { renamed(id: ID!): User! }
  type Seen { userId: String clientAddress: String }
  type User @key(fields: "id") { id: ID! name: String! }
`;
const reviewsSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type User @key(fields: "id") { id: ID! seenBy: String seenFrom: String }
`;

let issuer: TokenIssuer;
let accounts: TestSubgraph;
let reviews: TestSubgraph;
let gateway: TestGateway;
const sockets: Client[] = [];

beforeAll(async () => {
  issuer = await startTokenIssuer();
  accounts = await startSignedSubgraph(
    'accounts',
    accountsSdl,
    {
      Query: { whoami: (_: unknown, _args: unknown, ctx: Caller) => ({ userId: ctx.userId, clientAddress: ctx.clientAddress }) },
      Mutation: { rename: (_: unknown, { name }: { name: string }, ctx: Caller) => ({ id: ctx.userId ?? 'nobody', name }) },
      Subscription: {
        renamed: {
          async *subscribe(_: unknown, { id }: { id: string }) {
            yield { renamed: { id, name: `user ${id}` } };
          },
        },
      },
      User: { __resolveReference: ({ id }: { id: string }) => ({ id, name: `user ${id}` }) },
    },
    secret,
  );
  reviews = await startSignedSubgraph(
    'reviews',
    reviewsSdl,
    { User: { __resolveReference: ({ id }: { id: string }, ctx: Caller) => ({ id, seenBy: ctx.userId, seenFrom: ctx.clientAddress }) } },
    secret,
  );
  gateway = await startTestGateway([accounts, reviews], { env: { JWKS_URL: issuer.jwksUrl, IDENTITY_SIGNING_SECRET: secret } });
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
});

afterAll(async () => {
  await gateway?.dispose();
  await accounts?.stop();
  await reviews?.stop();
  await issuer?.stop();
});

const bearer = async () => ({ authorization: `Bearer ${await issuer.sign(ada)}` });

describe('a gateway sharing the signing secret with its subgraphs', () => {
  it('signs a query: the subgraph answers with the identity and the client address it forwarded', async () => {
    const response = await graphql(gateway.url, '{ whoami { userId clientAddress } }', undefined, await bearer());

    expect(response.errors).toBeUndefined();
    expect(response.data.whoami).toEqual({ userId: 'u1', clientAddress: '127.0.0.1' });
  });

  it('signs anonymous requests too, with the client address and no identity', async () => {
    const response = await graphql(gateway.url, '{ whoami { userId clientAddress } }');

    expect(response.errors).toBeUndefined();
    expect(response.data.whoami).toEqual({ userId: null, clientAddress: '127.0.0.1' });
  });

  it('signs mutations and the _entities fetches of a plan', async () => {
    const response = await graphql(gateway.url, 'mutation { rename(name: "Ada") { id name seenBy seenFrom } }', undefined, await bearer());

    expect(response.errors).toBeUndefined();
    expect(response.data.rename).toEqual({ id: 'u1', name: 'Ada', seenBy: 'u1', seenFrom: '127.0.0.1' });
  });

  it('drops x-ficus headers a client sends: its forged identity and address never reach a subgraph', async () => {
    const response = await graphql(gateway.url, '{ whoami { userId clientAddress } }', undefined, {
      'x-ficus-user-id': 'u-admin',
      'x-ficus-client-ip': '10.9.9.9',
    });

    expect(response.errors).toBeUndefined();
    expect(response.data.whoami).toEqual({ userId: null, clientAddress: '127.0.0.1' });
  });

  it('signs each subscribe, and the entity fetches that complete its events', async () => {
    const client = webSocketClient(gateway.url, await bearer());
    sockets.push(client);
    const recording = recordSubscription(client, 'subscription { renamed(id: "u7") { id name seenBy seenFrom } }');

    await waitFor(() => recording.completed || recording.errors.length > 0, { what: 'the subscription to run to its end' });
    expect(recording.errors).toEqual([]);
    expect(recording.values).toEqual([{ renamed: { id: 'u7', name: 'user u7', seenBy: 'u1', seenFrom: '127.0.0.1' } }]);
  });
});

describe('the same subgraphs reached without the gateway', () => {
  it('refuse the gateway-shaped request a caller sends itself with 401 UNAUTHENTICATED', async () => {
    const response = await graphql(accounts.url, '{ whoami { userId } }', undefined, { 'x-ficus-user-id': 'u1' });

    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});
