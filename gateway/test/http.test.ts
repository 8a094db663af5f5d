import net from 'node:net';
import { errorCodes, graphql, GraphQLResponse, rawHttpBody, rawHttpExchange, waitFor } from '@ficus/testkit';
import { Gate, startAccountsSubgraph } from './harness/shop-subgraphs';
import { origin, startTestGateway, TestGateway } from './harness/test-gateway';
import type { TestSubgraph } from './harness/test-subgraph';

let accounts: TestSubgraph;
let gateway: TestGateway;

beforeAll(async () => {
  accounts = await startAccountsSubgraph(new Gate());
  // Room for one body of the largest size (BODY_LIMIT_BYTES, 1,000,000) and half of another.
  gateway = await startTestGateway([accounts], { env: { CORS_ORIGINS: 'http://localhost:5173, https://shop.example', REQUEST_BODIES_MAX_BYTES: '1500000' } });
});

afterAll(async () => {
  await gateway?.dispose();
  await accounts?.stop();
});

const preflight = (from: string) =>
  fetch(gateway.url, {
    method: 'OPTIONS',
    headers: {
      origin: from,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,authorization',
    },
  });

describe('health', () => {
  it('says the process is alive on /health', async () => {
    const response = await fetch(`${origin(gateway)}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('says it is ready on /ready once the supergraph is loaded', async () => {
    const response = await fetch(`${origin(gateway)}/ready`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { supergraph: 'up' } });
  });
});

describe('CORS', () => {
  it('lets the hosted Apollo Sandbox call the gateway with credentials', async () => {
    const response = await preflight('https://studio.apollographql.com');

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
  });

  it("lets the embedded Apollo Sandbox (the landing page's iframe) call the gateway", async () => {
    const response = await preflight('https://sandbox.embed.apollographql.com');

    expect(response.headers.get('access-control-allow-origin')).toBe('https://sandbox.embed.apollographql.com');
  });

  it('lets the origins in CORS_ORIGINS call the gateway', async () => {
    for (const allowed of ['http://localhost:5173', 'https://shop.example']) {
      const response = await preflight(allowed);

      expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    }
  });

  it('does not let any other origin call the gateway', async () => {
    const response = await preflight('https://evil.example');

    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('request bodies', () => {
  it('refuses malformed JSON with 400 BAD_REQUEST', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": "{ whoami { userId }',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('refuses a body that is JSON but not an object with 400, saying what it should be', async () => {
    for (const [body, kind] of [['null', 'null'], ['42', 'number'], ['"{ whoami { userId } }"', 'string']]) {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

      expect({ body, status: response.status, answer: await response.json() }).toEqual({
        body,
        status: 400,
        answer: { errors: [{ message: `request body must be a JSON object (a GraphQL request), not ${kind}`, extensions: { code: 'BAD_REQUEST' } }] },
      });
    }
  });

  it('refuses a body over BODY_LIMIT_BYTES with 413', async () => {
    const response = await graphql(gateway.url, `{ whoami { userId } } # ${'x'.repeat(1_000_000)}`);

    expect(response.status).toBe(413);
    expect(errorCodes(response)).toEqual(['BAD_REQUEST']);
  });

  it('refuses a body that would take the bodies held past REQUEST_BODIES_MAX_BYTES with 503 SERVICE_OVERLOADED, and goes on serving', async () => {
    const { hostname, port } = new URL(gateway.url);
    const held = net.connect(Number(port), hostname);
    held.on('error', () => undefined);
    const metric = async () => (await (await fetch(`${origin(gateway)}/metrics`)).text()).match(/^http_server_request_bodies_held_bytes\{[^}]*\} (\d+)$/m)?.[1];
    try {
      held.write(`POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"query":"`);
      await waitFor(async () => (await metric()) === '1000000', { what: 'the held body counted' });

      const refused = await rawHttpExchange(gateway.url, `POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 600000\r\n\r\n`);
      expect(refused).toMatch(/^HTTP\/1\.1 503 /);
      expect(refused).toMatch(/\r\nretry-after: 1\r\n/i);
      expect(rawHttpBody(refused)).toMatchObject({ errors: [{ extensions: { code: 'SERVICE_OVERLOADED' } }] });
      expect((await graphql(gateway.url, '{ whoami { userId } }')).status).toBe(200);
    } finally {
      held.destroy();
    }
    await waitFor(async () => (await metric()) === '0', { what: 'the held body let go' });
  });

  it("refuses headers larger than Node's limit with 431 in the GraphQL error shape, and goes on serving", async () => {
    const answer = await rawHttpExchange(gateway.url, `POST /graphql HTTP/1.1\r\nHost: gateway\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);

    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(rawHttpBody(answer)).toEqual({
      errors: [{ message: "the request's headers are larger than 16384 bytes", extensions: { code: 'BAD_REQUEST' } }],
    });
    expect((await graphql(gateway.url, '{ whoami { userId } }')).status).toBe(200);
  });

  it('keeps CSRF prevention on: a simple GET query without a preflight header is refused', async () => {
    const response = await fetch(`${gateway.url}?query=${encodeURIComponent('{ whoami { userId } }')}`);

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('CSRF');
  });

  it('serves a GET query with its variables, and checks the variables it runs even past 1,000 other parameters', async () => {
    const query = encodeURIComponent('query User($id: ID!) { user(id: $id) { name } }');
    const variables = encodeURIComponent(JSON.stringify({ id: 'u1' }));
    const get = (search: string) => fetch(`${gateway.url}?${search}`, { headers: { 'apollo-require-preflight': 'true' } });

    const plain = await get(`query=${query}&variables=${variables}`);
    expect(await plain.json()).toEqual({ data: { user: { name: 'Ada' } }, extensions: expect.anything() });

    // Express's query parser keeps 1,000 names; what runs must be what was checked.
    const junk = Array.from({ length: 1_000 }, (_, i) => `k${i}=1`).join('&');
    const padded = await get(`query=${query}&${junk}&variables=${variables}`);
    expect(padded.status).toBe(200);
    expect(await padded.json()).toEqual({ data: { user: { name: 'Ada' } }, extensions: expect.anything() });
  });
});

describe('methods and charsets', () => {
  it('answers a method other than GET and POST with 405 METHOD_NOT_ALLOWED and the methods it takes', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(gateway.url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ whoami { userId } }' }) });

      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, POST');
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors.map((e) => e.extensions.code)).toEqual(['METHOD_NOT_ALLOWED']);
    }
  });

  it('answers a path it does not serve with 404 NOT_FOUND in the GraphQL error shape, not an HTML page', async () => {
    const response = await fetch(`${origin(gateway)}/graphqlx`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ errors: [{ message: 'nothing is served at POST /graphqlx', extensions: { code: 'NOT_FOUND' } }] });
  });

  it('serves its paths with a trailing slash, in any case and in the absolute form a proxy sends, and nothing beneath them', async () => {
    const operation = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ whoami { userId } }' }) };
    expect((await fetch(`${origin(gateway)}/graphql/`, operation)).status).toBe(200);
    expect((await fetch(`${origin(gateway)}/GraphQL`, operation)).status).toBe(200);
    expect((await fetch(`${origin(gateway)}/health/`)).status).toBe(200);
    const absolute = await rawHttpExchange(gateway.url, `GET ${origin(gateway)}/health?probe=1 HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n`);
    expect([absolute.split(' ')[1], rawHttpBody(absolute)]).toEqual(['200', { status: 'ok' }]);

    const beneath = await fetch(`${origin(gateway)}/graphql/more`, operation);
    expect(beneath.status).toBe(404);
    expect(await beneath.json()).toEqual({ errors: [{ message: 'nothing is served at POST /graphql/more', extensions: { code: 'NOT_FOUND' } }] });
    expect((await fetch(`${origin(gateway)}/health`, { method: 'POST' })).status).toBe(404);
  });

  it('answers HEAD on /health and /ready as GET, with no body', async () => {
    for (const path of ['/health', '/ready']) {
      const answer = await rawHttpExchange(gateway.url, `HEAD ${path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n`);
      expect([answer.split(' ')[1], answer.slice(answer.indexOf('\r\n\r\n') + 4)]).toEqual(['200', '']);
    }
  });

  it('gives every answer a request id, the caller\'s when it is a plausible one', async () => {
    const missing = await fetch(`${origin(gateway)}/nowhere`, { headers: { 'x-request-id': 'probe-7' } });
    expect([missing.status, missing.headers.get('x-request-id')]).toEqual([404, 'probe-7']);
    const health = await fetch(`${origin(gateway)}/health`, { headers: { 'x-request-id': 'not plausible <script>' } });
    expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads a JSON body in the charset it declares: UTF-16 is decoded, a charset JSON cannot be in is refused with 415', async () => {
    const body = JSON.stringify({ query: 'query User($id: ID!) { user(id: $id) { name } }', variables: { id: 'u1' } });
    const utf16 = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-16le' }, body: Buffer.from(body, 'utf16le') });
    expect(utf16.status).toBe(200);
    expect(await utf16.json()).toEqual({ data: { user: { name: 'Ada' } }, extensions: expect.anything() });

    const latin1 = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body });
    expect(latin1.status).toBe(415);
  });

  it('refuses UTF-7 and UTF-32 with 415, which the JSON decoder would otherwise decode or misread', async () => {
    // "+AHs-" is "{" in UTF-7: decoded, this body is a valid query.
    const utf7 = '+AHs-"query":"{ __typename }"}';
    for (const charset of ['utf-7', 'UTF-32', 'utf-32le']) {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': `application/json; charset=${charset}` }, body: utf7 });
      expect([charset, response.status, errorCodes((await response.json()) as GraphQLResponse)]).toEqual([charset, 415, ['BAD_REQUEST']]);
    }
  });
});

describe('a request sent too slowly', () => {
  let patient: TestGateway;
  beforeAll(async () => {
    patient = await startTestGateway([accounts], { env: { HTTP_REQUEST_TIMEOUT_MS: '1000' } });
  });
  afterAll(() => patient?.dispose());

  it('is answered 408 and its connection closed once HTTP_REQUEST_TIMEOUT_MS has passed, while other requests are served', async () => {
    const exchange = rawHttpExchange(patient.url, 'POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":');
    const started = performance.now();

    expect((await graphql(patient.url, '{ whoami { userId } }')).status).toBe(200);
    const answer = await exchange;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('{"errors":[{"message":"the request was not received in time","extensions":{"code":"BAD_REQUEST"}}]}');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('is closed without an answer when it sends nothing at all before HTTP_REQUEST_TIMEOUT_MS has passed', async () => {
    const started = performance.now();
    const answer = await rawHttpExchange(patient.url, '');

    expect(answer).toBe('');
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('the landing page', () => {
  it('serves the embedded Apollo Sandbox to a browser in development', async () => {
    const response = await fetch(gateway.url, { headers: { accept: 'text/html' } });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('embeddable-sandbox');
  });

  it('is not served in production', async () => {
    const production = await startTestGateway([accounts], { env: { NODE_ENV: 'production' } });
    try {
      const response = await fetch(production.url, { headers: { accept: 'text/html' } });

      expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    } finally {
      await production.dispose();
    }
  });
});
