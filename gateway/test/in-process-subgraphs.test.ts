import { errorCodes, graphql } from '@ficus/testkit';
import type { InProcessHandler } from '@ficus/kit';
import { startSignedSubgraph } from './harness/signed-subgraph';
import { startTestGateway, TestGateway } from './harness/test-gateway';
import { startTokenIssuer, TokenIssuer } from './harness/token-issuer';

const secret = 'the-secret-this-gateway-shares-with-its-subgraphs';
const ada = { sub: 'u1', email: 'ada@example.com', roles: ['customer'] };

interface Caller {
  userId: string | null;
  clientAddress: string | null;
}

const accountsSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { whoami: Seen! me: User }
  type Seen { userId: String clientAddress: String }
  type User @key(fields: "id") { id: ID! name: String! }
`;
const reviewsSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type User @key(fields: "id") { id: ID! seenBy: String }
`;

let issuer: TokenIssuer;
let accounts: Awaited<ReturnType<typeof startSignedSubgraph>>;
let reviews: Awaited<ReturnType<typeof startSignedSubgraph>>;
let overHttp: TestGateway;
let inProcess: TestGateway;
const calls: Record<string, number> = { accounts: 0, reviews: 0 };
const counted = (name: string, handler: InProcessHandler): InProcessHandler => (request) => {
  calls[name] = (calls[name] ?? 0) + 1;
  return handler(request);
};

beforeAll(async () => {
  issuer = await startTokenIssuer();
  accounts = await startSignedSubgraph(
    'accounts',
    accountsSdl,
    {
      Query: {
        whoami: (_: unknown, _args: unknown, ctx: Caller) => ({ userId: ctx.userId, clientAddress: ctx.clientAddress }),
        me: (_: unknown, _args: unknown, ctx: Caller) => (ctx.userId ? { id: ctx.userId, name: 'Ada' } : null),
      },
      User: { __resolveReference: ({ id }: { id: string }) => ({ id, name: `user ${id}` }) },
    },
    secret,
  );
  reviews = await startSignedSubgraph(
    'reviews',
    reviewsSdl,
    { User: { __resolveReference: ({ id }: { id: string }, ctx: Caller) => ({ id, seenBy: ctx.userId }) } },
    secret,
  );
  const env = { JWKS_URL: issuer.jwksUrl, IDENTITY_SIGNING_SECRET: secret };
  overHttp = await startTestGateway([accounts, reviews], { env });
  // Only accounts is served "in this process"; reviews stays a remote service, as an extracted module is.
  inProcess = await startTestGateway([accounts, reviews], { env, hooks: { inProcessSubgraphs: new Map([[accounts.url, counted('accounts', accounts.inProcess)]]) } });
});

afterAll(async () => {
  await inProcess?.dispose();
  await overHttp?.dispose();
  await accounts?.stop();
  await reviews?.stop();
  await issuer?.stop();
});

const bearer = async () => ({ authorization: `Bearer ${await issuer.sign(ada)}` });

describe('a gateway with subgraphs in its own process (the modular monolith)', () => {
  it('calls a subgraph it serves in process through its handler, with the signed identity and client address, answering as over HTTP', async () => {
    const query = '{ whoami { userId clientAddress } me { id name seenBy } }';
    const headers = await bearer();
    const before = { ...calls };
    const reviewsRequests = reviews.requests.length;
    const viaHttp = await graphql(overHttp.url, query, undefined, headers);
    const viaProcess = await graphql(inProcess.url, query, undefined, headers);

    expect(viaHttp.errors).toBeUndefined();
    expect(viaProcess.data).toEqual(viaHttp.data);
    expect(viaProcess.data.whoami.userId).toBe('u1');
    expect(viaProcess.data.me.seenBy).toBe('u1');
    // Accounts was handed the in-process gateway's request; reviews, not in process, was called over HTTP by both gateways.
    expect(calls.accounts).toBe(before.accounts! + 1);
    expect(reviews.requests.length).toBe(reviewsRequests + 2);
  });

  it("refuses in process what the subgraph's HTTP route refuses: identity headers without the gateway's signature, and a body over its limit", async () => {
    const forged = { 'content-type': 'application/json', 'x-ficus-user-id': 'someone-else' };
    const body = JSON.stringify({ query: '{ whoami { userId } }' });
    const viaHttp = await fetch(accounts.url, { method: 'POST', headers: forged, body });
    const viaProcess = await accounts.inProcess({ path: '/graphql', headers: forged, body });
    expect(viaProcess.status).toBe(viaHttp.status);
    expect(viaProcess.status).toBe(401);
    expect(JSON.parse(viaProcess.body)).toEqual(await viaHttp.json());

    const tooLarge = await accounts.inProcess({ path: '/graphql', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ whoami { userId } } #${'x'.repeat(100_001)}` }) });
    expect(tooLarge.status).toBe(413);
    const notJson = await accounts.inProcess({ path: '/graphql', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(notJson.status).toBe(400);
  });

  it('fails the fields of a module that does not answer in time or answers 5xx, as over HTTP, and serves the rest', async () => {
    const silent: InProcessHandler = () => new Promise(() => undefined);
    const failing: InProcessHandler = async () => ({ status: 503, body: 'unavailable' });
    for (const handler of [silent, failing]) {
      const gateway = await startTestGateway([accounts, reviews], {
        env: { JWKS_URL: issuer.jwksUrl, IDENTITY_SIGNING_SECRET: secret, SUBGRAPH_TIMEOUT_MS: '300' },
        hooks: { inProcessSubgraphs: new Map([[reviews.url, handler]]) },
      });
      try {
        const res = await graphql(gateway.url, '{ me { id name seenBy } }', undefined, await bearer());
        expect(res.data).toEqual({ me: { id: 'u1', name: 'Ada', seenBy: null } });
        expect(errorCodes(res)).toEqual(['SUBREQUEST_HTTP_ERROR']);
      } finally {
        await gateway.dispose();
      }
    }
  });

  it('answers an anonymous caller in process as over HTTP: no identity reaches the subgraph', async () => {
    const viaHttp = await graphql(overHttp.url, '{ whoami { userId } me { id } }');
    const viaProcess = await graphql(inProcess.url, '{ whoami { userId } me { id } }');
    expect({ status: viaProcess.status, data: viaProcess.data, errors: viaProcess.errors }).toEqual({ status: viaHttp.status, data: viaHttp.data, errors: viaHttp.errors });
    expect(viaProcess.data).toEqual({ whoami: { userId: null }, me: null });
    expect(errorCodes(viaProcess)).toEqual([]);
  });
});
