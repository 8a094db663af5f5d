import type { IncomingHttpHeaders } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

export interface SubgraphRequestContext {
  headers: IncomingHttpHeaders;
}

export interface TestSubgraph {
  name: string;
  url: string;
  sdl: string;
  /** The headers of every request the gateway sent it, oldest first. */
  requests: IncomingHttpHeaders[];
  stop(): Promise<void>;
}

/** A real subgraph server on a free port that records the requests it receives. */
export async function startTestSubgraph(
  name: string,
  sdl: string,
  resolvers: Record<string, Record<string, (...args: any[]) => unknown>>,
): Promise<TestSubgraph> {
  const requests: IncomingHttpHeaders[] = [];
  const server = new ApolloServer<SubgraphRequestContext>({
    schema: buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers }]),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      requests.push(req.headers);
      return { headers: req.headers };
    },
  });
  return { name, url, sdl, requests, stop: () => server.stop() };
}
