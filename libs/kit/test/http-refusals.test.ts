import { parse } from 'graphql';
import pino from 'pino';
import { rawHttpBody, rawHttpExchange } from '@ficus/testkit';
import { GraphQLHttpServer, ServiceMetrics, startGraphQLHttpServer } from '../src';

const logger = pino({ level: 'silent' });
let server: GraphQLHttpServer;

beforeAll(async () => {
  server = await startGraphQLHttpServer({
    typeDefs: parse('type Query { ping: String }'),
    resolvers: { Query: { ping: () => 'pong' } },
    logger,
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 10_000,
    checks: [],
    metrics: new ServiceMetrics('http_refusals'),
    context: () => ({ logger }),
  });
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
