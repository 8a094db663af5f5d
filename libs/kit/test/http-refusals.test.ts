import net from 'node:net';
import { parse } from 'graphql';
import pino from 'pino';
import { rawHttpBody, rawHttpExchange } from '@ficus/testkit';
import { GraphQLHttpServer, ServiceMetrics, startGraphQLHttpServer } from '../src';

const logger = pino({ level: 'silent' });
let server: GraphQLHttpServer;

/** A service answering `{ ping }`, its metrics under `name`. */
function startPingServer(name: string, silentConnectionTimeoutMs?: number): Promise<GraphQLHttpServer> {
  return startGraphQLHttpServer({
    typeDefs: parse('type Query { ping: String }'),
    resolvers: { Query: { ping: () => 'pong' } },
    logger,
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 10_000,
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
