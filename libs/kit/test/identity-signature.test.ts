import { identityFromHeaders, IdentitySignature, identitySignatureHeader } from '../src';

const secret = 'a-secret-the-gateway-and-subgraphs-share';
const ada = { userId: 'u1', email: 'ada@example.com', roles: ['customer'] };

describe('IdentitySignature', () => {
  const signature = new IdentitySignature(secret, 60_000);
  const now = Date.parse('2026-11-22T12:00:00Z');

  it('reads back the identity it signed', () => {
    const headers = signature.headersFor(ada, now);
    expect(signature.identityFrom(headers, now + 1_000)).toEqual(ada);
    expect(identityFromHeaders(headers)).toEqual(ada);
  });

  it('treats headers without an identity as anonymous', () => {
    expect(signature.identityFrom({ 'x-request-id': 'r1' }, now)).toBeNull();
  });

  it.each([
    ['unsigned identity headers', () => ({ 'x-ficus-user-id': 'u1', 'x-ficus-user-roles': 'admin' })],
    ['a role added after signing', () => ({ ...signature.headersFor(ada, now), 'x-ficus-user-roles': 'customer,admin' })],
    ['another user id under the same signature', () => ({ ...signature.headersFor(ada, now), 'x-ficus-user-id': 'u2' })],
    ['a signature made with another secret', () => new IdentitySignature('another-secret-of-at-least-32-chars!!').headersFor(ada, now)],
    ['a malformed signature', () => ({ ...signature.headersFor(ada, now), [identitySignatureHeader]: 'v1=abc' })],
  ])('refuses %s with UNAUTHENTICATED', (_label, headers) => {
    expect(() => signature.identityFrom(headers(), now)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('refuses a signature older than its maximum age, as a replay', () => {
    const headers = signature.headersFor(ada, now);
    expect(() => signature.identityFrom(headers, now + 60_001)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});
