import { makeExecutableSchema } from '@graphql-tools/schema';
import { jsonBody, loadSchemaFile, Logger, Orm } from '@ficus/kit';
import type { Express } from 'express';
import { graphql } from 'graphql';
import { routerConfig, RouterConfig } from '../domain/router-config';

/**
 * `POST /api/uplink`: an Apollo Uplink endpoint (schema in uplink.graphql), so Apollo Router
 * (`APOLLO_UPLINK_ENDPOINTS`, `APOLLO_KEY`, `APOLLO_GRAPH_REF`) and @apollo/gateway follow a
 * variant's supergraph. The key travels in the query's `apiKey` variable, not in a header.
 */
export function uplinkRoute(app: Express, options: { orm: Orm; logger: Logger; minDelaySeconds: number }): void {
  const schema = makeExecutableSchema({
    typeDefs: loadSchemaFile(__dirname, 'uplink.graphql'),
    resolvers: {
      Query: {
        routerConfig: (_: unknown, args: { ref: string; apiKey: string; ifAfterId?: string | null }) =>
          routerConfig(options.orm.em.fork(), args, options.minDelaySeconds),
      },
      RouterConfigResponse: { __resolveType: (answer: RouterConfig) => answer.__typename },
    },
  });

  app.post('/api/uplink', jsonBody(64 * 1024), async (req, res, next) => {
    try {
      const body = req.body as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
      if (typeof body?.query !== 'string') {
        res.status(400).json({ errors: [{ message: 'a GraphQL request needs a "query" string', extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      const result = await graphql({
        schema,
        source: body.query,
        variableValues: (body.variables ?? undefined) as Record<string, unknown> | undefined,
        operationName: typeof body.operationName === 'string' ? body.operationName : undefined,
      });
      if (result.errors) {
        options.logger.warn({ errors: result.errors.map((e) => e.message), client: req.get('apollographql-client-name') }, 'uplink request refused');
      }
      res.json(result);
    } catch (err) {
      next(err);
    }
  });
}
