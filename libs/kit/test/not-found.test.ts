import { parse } from 'graphql';
import pino from 'pino';
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
    metrics: new ServiceMetrics('not_found'),
    context: () => ({ logger }),
  });
});

afterAll(async () => {
  await server?.stop();
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
