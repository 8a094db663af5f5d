import { recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import type { Client } from 'graphql-ws';
import { identityToHeaders, RequestSignature, signatureHeader } from '../src';
import { GuardedSubgraph, startGuardedSubgraph } from './guarded-subgraph';

const secret = 'the-secret-the-gateway-and-this-subgraph-share';
const gateway = new RequestSignature(secret);
const ada = identityToHeaders({ userId: 'u-ada', email: 'ada@example.com', roles: ['admin'] });
const CALLER = '{ caller { userId clientAddress } }';

interface Sent {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

describe('a subgraph given the signing secret', () => {
  let guarded: GuardedSubgraph;
  let url: string;
  const sockets: Client[] = [];

  beforeAll(async () => {
    guarded = await startGuardedSubgraph({ IDENTITY_SIGNING_SECRET: secret });
    url = guarded.subgraph.url;
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  /** Sends `body` as is, to `path` of the subgraph, with `headers`. */
  const post = async (body: string, headers: Record<string, string>, path = '/graphql'): Promise<Sent> => {
    const response = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, body: (await response.json()) as Sent['body'] };
  };
  /** The headers the gateway sends with `body`: `gatewayHeaders` and its signature, made at `signedAt`. */
  const signedHeaders = (body: string, gatewayHeaders: Record<string, string>, signedAt = Date.now(), path = '/graphql') => ({
    ...gatewayHeaders,
    'x-request-id': 'r-signed',
    [signatureHeader]: gateway.signRequest({ method: 'POST', path, body, headers: gatewayHeaders }, signedAt),
  });
  const bodyOf = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });
  const codes = (sent: Sent) => (sent.body.errors ?? []).map((e) => e.extensions?.code);
  const refusedAsUnauthenticated = (sent: Sent) => {
    expect(sent.status).toBe(401);
    expect(sent.body.data).toBeUndefined();
    expect(codes(sent)).toEqual(['UNAUTHENTICATED']);
  };

  it('answers what the gateway signed, with the identity and client address it forwarded', async () => {
    const body = bodyOf(CALLER);
    const sent = await post(body, signedHeaders(body, { ...ada, 'x-ficus-client-ip': '203.0.113.9' }));

    expect(sent.status).toBe(200);
    expect(sent.body.data.caller).toEqual({ userId: 'u-ada', clientAddress: '203.0.113.9' });
  });

  it('answers a signed anonymous request, a mutation and an _entities call', async () => {
    const anonymous = bodyOf(CALLER);
    expect((await post(anonymous, signedHeaders(anonymous, {}))).body.data.caller).toEqual({ userId: null, clientAddress: null });

    const mutation = bodyOf('mutation { label(id: "o1", labels: ["gift"]) { labels } }');
    expect((await post(mutation, signedHeaders(mutation, ada))).body.data.label.labels).toEqual(['gift']);

    const entities = bodyOf('query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id } } }', {
      r: [{ __typename: 'Order', id: 'o7' }],
    });
    expect((await post(entities, signedHeaders(entities, {}))).body.data._entities).toEqual([{ id: 'o7' }]);
  });

  it('refuses an unsigned anonymous request with 401 UNAUTHENTICATED, _entities included', async () => {
    refusedAsUnauthenticated(await post(bodyOf(CALLER), {}));
    refusedAsUnauthenticated(
      await post(bodyOf('query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id labels } } }', { r: [{ __typename: 'Order', id: 'o1' }] }), {}),
    );
  });

  it('refuses forged identity headers', async () => {
    refusedAsUnauthenticated(await post(bodyOf(CALLER), { ...ada, 'x-ficus-client-ip': '10.0.0.1' }));
  });

  it('refuses a captured signature replayed on another body, another path, or with another identity', async () => {
    const body = bodyOf('{ order(id: "o1") { id } }');
    const captured = signedHeaders(body, {});

    refusedAsUnauthenticated(await post(bodyOf('{ order(id: "o2") { id labels } }'), captured));
    // The same JSON, written with other bytes, is another body.
    refusedAsUnauthenticated(await post(` ${body}`, captured));
    refusedAsUnauthenticated(await post(body, captured, '/graphql?batch=1'));
    refusedAsUnauthenticated(await post(body, { ...captured, ...ada }));
  });

  it('refuses a signature older than its window', async () => {
    const body = bodyOf(CALLER);
    refusedAsUnauthenticated(await post(body, signedHeaders(body, {}, Date.now() - gateway.windowMs - 1_000)));
  });

  it('serves an unsigned { _service { sdl } } (what rover and ficus subgraph introspect read), and nothing beside it', async () => {
    const sdl = await post(bodyOf('query SubgraphIntrospectQuery {\n  # rover writes a comment here\n  _service { sdl }\n}'), {});
    expect(sdl.status).toBe(200);
    expect(sdl.body.data._service.sdl).toContain('type Order');

    refusedAsUnauthenticated(await post(bodyOf('{ _service { sdl } caller { userId } }'), {}));
    refusedAsUnauthenticated(await post(bodyOf('{ _service { sdl } } query Other { caller { userId } }'), {}));
    refusedAsUnauthenticated(await post(bodyOf('{ s: _service { sdl } }'), {}));
    refusedAsUnauthenticated(await post(bodyOf('{ _service { sdl __typename } }'), {}));
  });

  it('keeps /health, /ready and /metrics open', async () => {
    for (const path of ['/health', '/ready', '/metrics']) {
      expect((await fetch(new URL(path, url))).status).toBe(200);
    }
  });

  describe('over graphql-ws', () => {
    const SEEN = 'subscription($id: ID!) { orderSeen(id: $id) { id } }';
    const signedFor = (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => ({
      ...headers,
      [signatureHeader]: gateway.signOperation({ query, variables, headers }),
    });
    const socket = () => {
      const client = webSocketClient(url);
      sockets.push(client);
      return client;
    };

    it('runs a subscribe the gateway signed, and refuses unsigned, forged and re-used ones on the same socket with UNAUTHENTICATED', async () => {
      const shared = socket();
      const unsigned = recordSubscription(shared, SEEN, { id: 'o1' }, { headers: {} });
      const forged = recordSubscription(shared, SEEN, { id: 'o1' }, { headers: ada });
      const captured = signedFor(SEEN, { id: 'o1' }, ada);
      const reused = recordSubscription(shared, SEEN, { id: 'o2' }, { headers: captured });
      const genuine = recordSubscription<{ orderSeen: { id: string } }>(shared, SEEN, { id: 'o1' }, { headers: captured });

      await waitFor(() => genuine.completed && [unsigned, forged, reused].every((r) => r.errors.length > 0), {
        what: 'the signed subscription to run and the others to be refused',
      });
      expect(genuine.values).toEqual([{ orderSeen: { id: 'o1' } }]);
      for (const refused of [unsigned, forged, reused]) {
        expect(refused.values).toEqual([]);
        expect(refused.errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      }
    });

    it('refuses a subscribe whose only headers came in connection_init', async () => {
      const client = webSocketClient(url, { headers: signedFor(SEEN, { id: 'o1' }, ada) });
      sockets.push(client);
      const other = recordSubscription(client, SEEN, { id: 'o3' });
      await waitFor(() => other.errors.length > 0, { what: 'the refusal' });
      expect(other.errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    });
  });
});

describe('a subgraph without the signing secret', () => {
  let guarded: GuardedSubgraph;

  beforeAll(async () => {
    guarded = await startGuardedSubgraph({});
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  it('trusts the x-ficus headers as sent, as it must be reachable by the gateway alone', async () => {
    const response = await fetch(guarded.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ada, 'x-ficus-client-ip': '198.51.100.4' },
      body: JSON.stringify({ query: CALLER }),
    });
    const body = (await response.json()) as { data: { caller: unknown } };
    expect(body.data.caller).toEqual({ userId: 'u-ada', clientAddress: '198.51.100.4' });
  });
});
