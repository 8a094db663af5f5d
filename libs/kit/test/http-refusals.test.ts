import net from 'node:net';
import { parse } from 'graphql';
import pino from 'pino';
import { rawHttpBody, rawHttpExchange, waitFor } from '@ficus/testkit';
import { GraphQLHttpServer, ServiceMetrics, startGraphQLHttpServer } from '../src';

const logger = pino({ level: 'silent' });
let server: GraphQLHttpServer;

/** A service answering `{ ping }`, its metrics under `name`. */
function startPingServer(name: string, silentConnectionTimeoutMs?: number, bodies?: { limit: number; heldAtOnce: number }): Promise<GraphQLHttpServer> {
  return startGraphQLHttpServer({
    requestBodiesMaxBytes: bodies?.heldAtOnce,
    typeDefs: parse('type Query { ping: String }'),
    resolvers: { Query: { ping: () => 'pong' } },
    logger,
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: bodies?.limit ?? 10_000,
    checks: [],
    metrics: new ServiceMetrics(name),
    context: () => ({ logger }),
    silentConnectionTimeoutMs,
  });
}

beforeAll(async () => {
  server = await startPingServer('http_refusals');
});

afterAll(async () => {
  await server?.stop();
});

describe('a request that the HTTP parser refuses', () => {
  it('is answered 431 in the GraphQL error shape when its headers are larger than the limit', async () => {
    const answer = await rawHttpExchange(server.url, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);

    expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(answer).toMatch(/\r\ncontent-type: application\/json; charset=utf-8\r\n/);
    expect(rawHttpBody(answer)).toEqual({ errors: [{ message: "the request's headers are larger than 16384 bytes", extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('is answered 400 in the GraphQL error shape when it is not HTTP', async () => {
    const answer = await rawHttpExchange(server.url, 'HELLO THERE\r\n\r\n');

    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(rawHttpBody(answer)).toEqual({ errors: [{ message: 'the request is not valid HTTP/1.1', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('leaves the service serving the next request', async () => {
    await rawHttpExchange(server.url, 'HELLO THERE\r\n\r\n');
    const answer = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ping }' }) });

    expect(await answer.json()).toEqual({ data: { ping: 'pong' } });
  });
});

describe('a JSON body in a charset JSON is not written in', () => {
  it('is answered 415 for UTF-7 and UTF-32, which the decoder knows, and served in UTF-16', async () => {
    // "+AHs-" is "{" in UTF-7: decoded, this body is a valid query.
    for (const charset of ['utf-7', 'utf-32']) {
      const answer = await fetch(server.url, { method: 'POST', headers: { 'content-type': `application/json; charset=${charset}` }, body: '+AHs-"query":"{ ping }"}' });
      expect([charset, answer.status, await answer.json()]).toEqual([
        charset,
        415,
        { errors: [{ message: `unsupported charset "${charset.toUpperCase()}": JSON bodies are UTF-8 (or UTF-16)`, extensions: { code: 'BAD_REQUEST' } }] },
      ]);
    }
    const utf16 = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-16le' }, body: Buffer.from('{"query":"{ ping }"}', 'utf16le') });
    expect(await utf16.json()).toEqual({ data: { ping: 'pong' } });
  });
});

describe('a body that is not a JSON object', () => {
  it('is answered 400 saying it is not valid JSON when it is not, and what it should be when it is JSON of another kind', async () => {
    const cases = [
      ['{"query": ', 'request body is not valid JSON'],
      ['null', 'request body must be a JSON object (a GraphQL request), not null'],
      [' 42', 'request body must be a JSON object (a GraphQL request), not number'],
      ['"{ ping }"', 'request body must be a JSON object (a GraphQL request), not string'],
    ];
    for (const [body, message] of cases) {
      const answer = await fetch(new URL('/graphql', server.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body });

      expect({ body, status: answer.status, answer: await answer.json() }).toEqual({ body, status: 400, answer: { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] } });
    }
  });
});

describe('a body over the body limit', () => {
  it('is answered 413 naming the limit and the variable that sets it', async () => {
    const answer = await fetch(new URL('/graphql', server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ ping } # ${'a'.repeat(20_000)}` }),
    });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({
      errors: [{ message: 'request body is too large: this service takes at most 10000 bytes (BODY_LIMIT_BYTES)', extensions: { code: 'BAD_REQUEST' } }],
    });
  });
});

describe('a path the service does not serve', () => {
  it('is answered 404 NOT_FOUND in the GraphQL error shape, naming the method and path, for any method', async () => {
    for (const [method, path] of [['GET', '/nope'], ['POST', '/graphq'], ['DELETE', '/metrics/x']] as const) {
      const response = await fetch(new URL(path, server.url), { method });

      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ errors: [{ message: `nothing is served at ${method} ${path}`, extensions: { code: 'NOT_FOUND' } }] });
    }
  });

  it('leaves the served paths alone', async () => {
    expect((await fetch(new URL('/health', server.url))).status).toBe(200);
    const answer = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ping }' }) });
    expect(await answer.json()).toEqual({ data: { ping: 'pong' } });
  });
});

describe('a connection that sends nothing', () => {
  let quick: GraphQLHttpServer;
  beforeAll(async () => {
    quick = await startPingServer('silent_connections', 300);
  });
  afterAll(() => quick?.stop());

  it('is closed once the silent-connection timeout has passed, with nothing written to it', async () => {
    const started = performance.now();
    const answer = await rawHttpExchange(quick.url, '');

    expect(answer).toBe('');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('is not closed by it once a request has begun: a request started before the timeout and finished after it is answered', async () => {
    const { hostname, port } = new URL(quick.url);
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /hea');
    // A connection opened after it that sends nothing: once it is closed, the timeout has passed for the first.
    await rawHttpExchange(quick.url, '');
    socket.end('lth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await closed;

    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });
});

describe('request bodies past what the service holds at once (REQUEST_BODIES_MAX_BYTES)', () => {
  let budgeted: GraphQLHttpServer;
  const held: net.Socket[] = [];
  beforeAll(async () => {
    // Bodies of at most 100,000 bytes, 250,000 held at once: two unfinished bodies of 100,000 leave room for 50,000.
    budgeted = await startPingServer('body_budget', undefined, { limit: 100_000, heldAtOnce: 250_000 });
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await budgeted?.stop();
  });

  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(new URL('/metrics', budgeted.url))).text();
    return Number(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  };
  /** A POST whose body is announced at `length` bytes and sent but for its last byte, then held. */
  const holdBody = (length: number) => {
    const { hostname, port } = new URL(budgeted.url);
    const socket = net.connect(Number(port), hostname);
    socket.on('error', () => undefined);
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n${'{'.padEnd(length - 1, ' ')}`);
    held.push(socket);
    return socket;
  };
  const post = (body: string) => fetch(budgeted.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('refuses a body that would take the total past it with 503 SERVICE_OVERLOADED and Retry-After, unread, and serves the rest', async () => {
    holdBody(100_000);
    holdBody(100_000);
    await waitFor(async () => (await metric('http_server_request_bodies_held_bytes')) === 200_000, { what: 'two held bodies counted' });

    const refused = await rawHttpExchange(budgeted.url, `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n`);
    expect(refused).toMatch(/^HTTP\/1\.1 503 /);
    expect(refused).toMatch(/\r\nretry-after: 1\r\n/i);
    expect(refused).toMatch(/\r\nconnection: close\r\n/i);
    expect(rawHttpBody(refused)).toEqual({
      errors: [{ message: expect.stringContaining('REQUEST_BODIES_MAX_BYTES'), extensions: { code: 'SERVICE_OVERLOADED' } }],
    });
    // A body of unknown length (chunked) counts as the body limit.
    const chunked = await rawHttpExchange(budgeted.url, `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    expect(chunked).toMatch(/^HTTP\/1\.1 503 /);
    expect(await metric('http_server_requests_overloaded_total')).toBe(2);

    // What fits is served; so is a small body past the budget (40,000 of 50,000 taken first), and a request without a body.
    holdBody(40_000);
    await waitFor(async () => (await metric('http_server_request_bodies_held_bytes')) === 240_000, { what: 'the third held body counted' });
    expect(await (await post(JSON.stringify({ query: `{ ping } # ${'x'.repeat(20_000)}` }))).json()).toEqual({ data: { ping: 'pong' } });
    expect((await fetch(new URL('/health', budgeted.url))).status).toBe(200);
  });

  it('takes large bodies again once the held ones are gone', async () => {
    for (const socket of held.splice(0)) socket.destroy();
    await waitFor(async () => (await metric('http_server_request_bodies_held_bytes')) === 0, { what: 'the held bodies let go' });

    const large = JSON.stringify({ query: `{ ping } # ${'x'.repeat(90_000)}` });
    expect(await (await post(large)).json()).toEqual({ data: { ping: 'pong' } });
  });
});

describe("a request's abandonment signal", () => {
  let waiting: GraphQLHttpServer;
  let started = 0;
  const signals: AbortSignal[] = [];
  beforeAll(async () => {
    waiting = await startGraphQLHttpServer<{ logger: typeof logger; abandoned?: AbortSignal }>({
      typeDefs: parse('type Query { ping: String, wait: String }'),
      resolvers: {
        Query: {
          ping: (_: unknown, __: unknown, ctx: { abandoned?: AbortSignal }) => (signals.push(ctx.abandoned!), 'pong'),
          wait: (_: unknown, __: unknown, ctx: { abandoned?: AbortSignal }) => {
            started++;
            signals.push(ctx.abandoned!);
            return new Promise((resolve) => ctx.abandoned!.addEventListener('abort', () => resolve('left')));
          },
        },
      },
      logger,
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 10_000,
      checks: [],
      metrics: new ServiceMetrics('abandonment'),
      context: (_req, abandoned) => ({ logger, abandoned }),
    });
  });
  afterAll(() => waiting?.stop());

  it('is aborted when the client closes its connection before the answer, and not after a complete answer', async () => {
    const answer = await fetch(waiting.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ping }' }) });
    expect(await answer.json()).toEqual({ data: { ping: 'pong' } });

    const { hostname, port } = new URL(waiting.url);
    const socket = net.connect(Number(port), hostname);
    const body = JSON.stringify({ query: '{ wait }' });
    socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await waitFor(() => started === 1, { what: 'the waiting resolver to start' });
    socket.destroy();

    await waitFor(() => signals[1]!.aborted, { what: 'the abandonment signal' });
    expect(signals[0]!.aborted).toBe(false);
  });
});
