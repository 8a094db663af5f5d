import { errorCodes, graphql, waitFor } from '@ficus/testkit';
import { Gate, startAccountsSubgraph, startReviewsSubgraph } from './harness/shop-subgraphs';
import { startTestGateway, TestGateway } from './harness/test-gateway';
import type { TestSubgraph } from './harness/test-subgraph';

const gate = new Gate();
let accounts: TestSubgraph;
let reviews: TestSubgraph;
let gateway: TestGateway;

beforeAll(async () => {
  accounts = await startAccountsSubgraph(gate);
  reviews = await startReviewsSubgraph();
  gateway = await startTestGateway([accounts, reviews]);
});

afterAll(async () => {
  await gateway?.dispose();
  await accounts?.stop();
  await reviews?.stop();
});

describe('serving the supergraph', () => {
  it('answers a query whose plan crosses two subgraphs', async () => {
    const response = await graphql(gateway.url, '{ user(id: "u1") { name reviews { body } } }');

    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ user: { name: 'Ada', reviews: [{ body: 'review by u1' }] } });
  });

  it('answers an operation whose root fields a literal @skip or @include all leave out with empty data, fetching nothing', async () => {
    const fetchesBefore = accounts.requests.length;
    for (const query of [
      '{ user(id: "u1") @skip(if: true) { name } }',
      '{ ... @include(if: false) { user(id: "u1") { name } } __typename @skip(if: true) }',
      'query { ...Skipped } fragment Skipped on Query { user(id: "u1") @skip(if: true) { name } }',
    ]) {
      const response = await graphql(gateway.url, query);
      expect([query, response.status, response.data, response.errors]).toEqual([query, 200, {}, undefined]);
    }
    expect(accounts.requests.length).toBe(fetchesBefore);
  });

  it('refuses a field the supergraph does not have with GRAPHQL_VALIDATION_FAILED', async () => {
    const response = await graphql(gateway.url, '{ user(id: "u1") { name shoeSize } }');

    expect(errorCodes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('refuses an operation missing a required variable with BAD_USER_INPUT', async () => {
    const response = await graphql(gateway.url, 'query User($id: ID!) { user(id: $id) { name } }', {});

    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });

  it('makes a request id, echoes it and forwards it to the subgraphs', async () => {
    const response = await graphql(gateway.url, '{ whoami { requestId } }');

    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[\w-]{8,}$/);
    expect(response.data.whoami.requestId).toBe(requestId);
  });

  it("forwards the caller's request id and W3C traceparent", async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

    const response = await graphql(gateway.url, '{ whoami { requestId traceparent } }', undefined, {
      'x-request-id': 'checkout-42',
      traceparent,
    });

    expect(response.headers.get('x-request-id')).toBe('checkout-42');
    expect(response.data.whoami).toEqual({ requestId: 'checkout-42', traceparent });
  });

  it('drops a malformed traceparent instead of forwarding it', async () => {
    const response = await graphql(gateway.url, '{ whoami { traceparent } }', undefined, { traceparent: 'not-a-trace' });

    expect(response.data.whoami.traceparent).toBeNull();
  });
});

describe('the supergraph source', () => {
  it('serves an already composed SUPERGRAPH_FILE', async () => {
    const precomposed = await startTestGateway([accounts, reviews], { precomposed: true });
    try {
      const response = await graphql(precomposed.url, '{ user(id: "u2") { name reviews { body } } }');

      expect(response.data).toEqual({ user: { name: 'Grace', reviews: [{ body: 'review by u2' }] } });
    } finally {
      await precomposed.dispose();
    }
  });

  it('refuses to start on subgraphs that do not compose, naming the composition error', async () => {
    const twin = { ...accounts, name: 'twin' };

    await expect(startTestGateway([accounts, twin])).rejects.toThrow(/INVALID_FIELD_SHARING/);
  });
});

describe('a subgraph that does not answer', () => {
  it('is abandoned after SUBGRAPH_TIMEOUT_MS with an error instead of holding the request', async () => {
    const impatient = await startTestGateway([accounts, reviews], { env: { SUBGRAPH_TIMEOUT_MS: '200' } });
    gate.close();
    try {
      const response = await graphql(impatient.url, '{ slow }');

      expect(response.data).toBeUndefined();
      expect(response.errors?.[0]?.message).toMatch(/timeout/i);
    } finally {
      gate.open();
      await impatient.dispose();
    }
  });
});

describe('stopping the gateway', () => {
  it('lets a request in flight finish before it stops', async () => {
    const stopping = await startTestGateway([accounts, reviews]);
    gate.close();
    const seen = accounts.requests.length;

    const inFlight = graphql(stopping.url, '{ slow }');
    await waitFor(() => accounts.requests.length > seen, { what: 'the slow request to reach the subgraph' });
    const stopped = stopping.dispose();
    gate.open();

    expect((await inFlight).data).toEqual({ slow: 'done' });
    await stopped;
    await expect(fetch(stopping.url)).rejects.toThrow();
  });
});
