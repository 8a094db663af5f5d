import { errorCodes, freePort, graphql } from '@ficus/testkit';
import { Gate, startAccountsSubgraph, startReviewsSubgraph } from './harness/shop-subgraphs';
import { startTestGateway, TestGateway } from './harness/test-gateway';
import type { TestSubgraph } from './harness/test-subgraph';
import { startTokenIssuer, TokenIssuer } from './harness/token-issuer';

const ada = { sub: 'u1', email: 'ada@example.com', roles: ['admin', 'customer'] };
const whoami = '{ whoami { userId email roles } }';

let issuer: TokenIssuer;
let accounts: TestSubgraph;
let reviews: TestSubgraph;
let gateway: TestGateway;

beforeAll(async () => {
  issuer = await startTokenIssuer();
  accounts = await startAccountsSubgraph(new Gate());
  reviews = await startReviewsSubgraph();
  gateway = await startTestGateway([accounts, reviews], { env: { JWKS_URL: issuer.jwksUrl } });
});

afterAll(async () => {
  await gateway?.dispose();
  await accounts?.stop();
  await reviews?.stop();
  await issuer?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const subgraphRequests = () => accounts.requests.length + reviews.requests.length;

describe('a verified bearer token', () => {
  it('forwards the identity it proves to the subgraph', async () => {
    const response = await graphql(gateway.url, whoami, undefined, bearer(await issuer.sign(ada)));

    expect(response.data.whoami).toEqual({ userId: 'u1', email: 'ada@example.com', roles: 'admin,customer' });
  });

  it('forwards the identity to every subgraph a query plan calls', async () => {
    const response = await graphql(
      gateway.url,
      '{ user(id: "u2") { reviews { seenBy } } }',
      undefined,
      bearer(await issuer.sign(ada)),
    );

    expect(response.data.user.reviews).toEqual([{ seenBy: 'u1' }]);
  });

  it('wins over identity headers the client sent itself', async () => {
    const response = await graphql(gateway.url, whoami, undefined, {
      ...bearer(await issuer.sign({ ...ada, roles: ['customer'] })),
      'x-ficus-user-id': 'u2',
      'x-ficus-user-roles': 'admin',
    });

    expect(response.data.whoami).toEqual({ userId: 'u1', email: 'ada@example.com', roles: 'customer' });
  });
});

describe('a request without a token', () => {
  it('proceeds anonymously', async () => {
    const response = await graphql(gateway.url, whoami);

    expect(response.errors).toBeUndefined();
    expect(response.data.whoami).toEqual({ userId: null, email: null, roles: null });
  });

  it('never forwards identity headers the client sent', async () => {
    const response = await graphql(gateway.url, whoami, undefined, {
      'x-ficus-user-id': 'u1',
      'x-ficus-user-email': 'ada@example.com',
      'x-ficus-user-roles': 'admin',
    });

    expect(response.data.whoami).toEqual({ userId: null, email: null, roles: null });
  });
});

describe('a token the gateway cannot trust', () => {
  const refusals: [string, () => Promise<string>][] = [
    ['signed by another key', () => issuer.sign(ada, { forged: true })],
    ['expired', () => issuer.sign(ada, { expiresAt: Math.floor(Date.now() / 1000) - 60 })],
    ['issued by someone else', () => issuer.sign(ada, { issuer: 'evil-issuer' })],
    ['meant for another audience', () => issuer.sign(ada, { audience: 'another-app' })],
    ['without the roles claim', () => issuer.sign({ sub: 'u1', email: 'ada@example.com' })],
    ['not a JWT at all', async () => 'garbage'],
  ];

  it.each(refusals)('is refused with 401 UNAUTHENTICATED before any subgraph is called when %s', async (_, token) => {
    const before = subgraphRequests();

    const response = await graphql(gateway.url, whoami, undefined, bearer(await token()));

    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(subgraphRequests()).toBe(before);
  });

  it('says an expired token has expired', async () => {
    const token = await issuer.sign(ada, { expiresAt: Math.floor(Date.now() / 1000) - 60 });

    const response = await graphql(gateway.url, whoami, undefined, bearer(token));

    expect(response.errors?.[0]?.message).toBe('the bearer token has expired');
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const response = await graphql(gateway.url, whoami, undefined, { authorization: 'Basic YWRhOnNlY3JldA==' });

    expect(response.status).toBe(401);
    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('verifying with JWT_PUBLIC_KEY instead of a JWKS', () => {
  let keyed: TestGateway;

  beforeAll(async () => {
    keyed = await startTestGateway([accounts, reviews], { env: { JWT_PUBLIC_KEY: issuer.publicKeyPem } });
  });

  afterAll(() => keyed?.dispose());

  it('accepts a token signed by that key', async () => {
    const response = await graphql(keyed.url, whoami, undefined, bearer(await issuer.sign(ada)));

    expect(response.data.whoami.userId).toBe('u1');
  });

  it('refuses a token signed by another key', async () => {
    const response = await graphql(keyed.url, whoami, undefined, bearer(await issuer.sign(ada, { forged: true })));

    expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('when the signing keys cannot be fetched', () => {
  it('answers 503 rather than blaming the token', async () => {
    const nobodyListening = `http://127.0.0.1:${await freePort()}/.well-known/jwks.json`;
    const blind = await startTestGateway([accounts, reviews], { env: { JWKS_URL: nobodyListening } });
    try {
      const response = await graphql(blind.url, whoami, undefined, bearer(await issuer.sign(ada)));

      expect(response.status).toBe(503);
      expect(errorCodes(response)).toEqual(['INTERNAL_SERVER_ERROR']);
    } finally {
      await blind.dispose();
    }
  });
});
