import { identityToHeaders, RequestSignature, signatureHeader } from '../src';

const secret = 'a-secret-the-gateway-and-subgraphs-share';
const ada = identityToHeaders({ userId: 'u1', email: 'ada@example.com', roles: ['customer'] });
const now = Date.parse('2026-11-22T12:00:00Z');
const refused = expect.objectContaining({ code: 'UNAUTHENTICATED' });

describe('RequestSignature over an HTTP request', () => {
  const signature = new RequestSignature(secret, 30_000);
  const body = JSON.stringify({ query: '{ order(id: "o1") { id } }' });
  const signed = (headers: Record<string, string> = ada) => {
    const request = { method: 'POST', path: '/graphql', body, headers: { ...headers, 'x-ficus-client-ip': '10.0.0.7', 'x-request-id': 'r1' } };
    return { ...request, headers: { ...request.headers, [signatureHeader]: signature.signRequest(request, now) } };
  };

  it('accepts the request it signed, its body given as bytes or text, anonymous or not', () => {
    expect(() => signature.verifyRequest({ ...signed(), body: Buffer.from(body) }, now + 29_000)).not.toThrow();
    expect(() => signature.verifyRequest(signed({}), now - 29_000)).not.toThrow();
  });

  it('does not cover headers outside x-ficus-*, which the gateway does not vouch for', () => {
    const request = signed();
    expect(() => signature.verifyRequest({ ...request, headers: { ...request.headers, 'x-request-id': 'r2' } }, now)).not.toThrow();
  });

  it.each([
    ['no signature', () => ({ ...signed(), headers: ada })],
    ['another body under a captured signature', () => ({ ...signed(), body: JSON.stringify({ query: '{ order(id: "o2") { id } }' }) })],
    ['another path', () => ({ ...signed(), path: '/graphql?x=1' })],
    ['another method', () => ({ ...signed(), method: 'GET' })],
    ['a role added after signing', () => ({ ...signed(), headers: { ...signed().headers, 'x-ficus-user-roles': 'customer,admin' } })],
    ['another client address', () => ({ ...signed(), headers: { ...signed().headers, 'x-ficus-client-ip': '10.0.0.8' } })],
    ['an x-ficus header added after signing', () => ({ ...signed({}), headers: { ...signed({}).headers, 'x-ficus-user-id': 'u2' } })],
    ['identity headers removed after signing', () => ({ ...signed(), headers: { [signatureHeader]: signed().headers[signatureHeader] } })],
    ['a signature made with another secret', () => {
      const request = { method: 'POST', path: '/graphql', body, headers: ada };
      return { ...request, headers: { ...ada, [signatureHeader]: new RequestSignature('another-secret-of-at-least-32-chars!!').signRequest(request, now) } };
    }],
    ['a malformed signature', () => ({ ...signed(), headers: { ...ada, [signatureHeader]: 'v1=abc' } })],
  ])('refuses %s with UNAUTHENTICATED', (_label, request) => {
    expect(() => signature.verifyRequest(request(), now)).toThrow(refused);
  });

  it('refuses a signature from outside its window, either way, as a replay or a skewed clock', () => {
    expect(() => signature.verifyRequest(signed(), now + 30_001)).toThrow(refused);
    expect(() => signature.verifyRequest(signed(), now - 30_001)).toThrow(refused);
  });
});

describe('RequestSignature over a subscribe operation', () => {
  const signature = new RequestSignature(secret);
  const operation = { query: 'subscription($id: ID!) { orderStatusChanged(orderId: $id) { status } }', variables: { id: 'o1', n: { a: 1, b: [2] } } };
  const signedHeaders = { ...ada, [signatureHeader]: signature.signOperation({ ...operation, headers: ada }, now) };

  it('accepts the operation it signed, whatever the key order of its variables after a round trip', () => {
    const variables = { n: { b: [2], a: 1 }, id: 'o1' };
    expect(() => signature.verifyOperation({ ...operation, variables, operationName: null, headers: signedHeaders }, now)).not.toThrow();
  });

  it.each([
    ['another query', { ...operation, query: 'subscription { orderStatusChanged(orderId: "o2") { status } }' }],
    ['other variables', { ...operation, variables: { id: 'o2', n: { a: 1, b: [2] } } }],
    ['another operation name', { ...operation, operationName: 'Other' }],
  ])('refuses a captured signature reused for %s', (_label, other) => {
    expect(() => signature.verifyOperation({ ...other, headers: signedHeaders }, now)).toThrow(refused);
  });

  it('refuses an operation without a signature, or with an HTTP request signature', () => {
    expect(() => signature.verifyOperation({ ...operation, headers: ada }, now)).toThrow(refused);
    const http = { method: 'POST', path: '/graphql', body: JSON.stringify(operation), headers: ada };
    expect(() => signature.verifyOperation({ ...operation, headers: { ...ada, [signatureHeader]: signature.signRequest(http, now) } }, now)).toThrow(refused);
  });
});
