import type { IncomingHttpHeaders } from 'node:http';
import { clientAddressFromHeaders, createLogger, identityFromHeaders, InProcessHandler, OpenStreams, RequestSignature, ServiceMetrics, startGraphQLHttpServer } from '@ficus/kit';
import { parse } from 'graphql';
import type { TestSubgraph } from './test-subgraph';

interface SignedContext {
  userId: string | null;
  clientAddress: string | null;
  logger: ReturnType<typeof createLogger>;
}

const contextOf = (headers: IncomingHttpHeaders | Record<string, string>, logger: SignedContext['logger']): SignedContext => ({
  userId: identityFromHeaders(headers)?.userId ?? null,
  clientAddress: clientAddressFromHeaders(headers),
  logger,
});

/**
 * A subgraph served by kit's server with the signing secret, as every Ficus subgraph is given
 * one: it answers only what the gateway signed. `resolvers` see who called and from where.
 */
export async function startSignedSubgraph(
  name: string,
  sdl: string,
  resolvers: Record<string, Record<string, unknown>>,
  secret: string,
): Promise<TestSubgraph & { inProcess: InProcessHandler }> {
  const logger = createLogger(name, 'silent');
  const requests: IncomingHttpHeaders[] = [];
  const server = await startGraphQLHttpServer<SignedContext>({
    typeDefs: parse(sdl),
    resolvers,
    logger,
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: 100_000,
    checks: [],
    metrics: new ServiceMetrics(name),
    gatewaySignature: new RequestSignature(secret),
    context: (req) => {
      requests.push(req.headers);
      return contextOf(req.headers, logger);
    },
    subscriptions: {
      streams: new OpenStreams(),
      keepAliveMs: 60_000,
      context: (params) => contextOf((params.headers ?? {}) as Record<string, string>, logger),
    },
  });
  return { name, url: server.url, sdl, requests, inProcess: server.inProcess, stop: () => server.stop() };
}
