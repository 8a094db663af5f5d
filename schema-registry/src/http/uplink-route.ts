import { makeExecutableSchema } from '@graphql-tools/schema';
import { jsonBody, loadSchemaFile, Logger, Orm, parseWithinLimits } from '@ficus/kit';
import type { Express } from 'express';
import { execute, GraphQLFormattedError, validate } from 'graphql';
import { routerConfig, RouterConfig } from '../domain/router-config';
import { formatExecutionError, refusedOperation, refusedText } from './graphql-refusals';
import { registryLexicalLimits } from './request-limits';

/**
 * `POST /api/uplink`: an Apollo Uplink endpoint (schema in uplink.graphql), so Apollo Router
 * (`APOLLO_UPLINK_ENDPOINTS`, `APOLLO_KEY`, `APOLLO_GRAPH_REF`) and @apollo/gateway follow a
 * variant's supergraph. The key travels in the query's `apiKey` variable, not in a header.
 * Held to the registry's limits as its other GraphQL endpoints are; every error has a code.
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
      const client = req.get('apollographql-client-name');
      const refuse = (errors: GraphQLFormattedError[], data?: unknown) => {
        options.logger.warn({ errors: errors.map((e) => e.message), client }, 'uplink request refused');
        res.json(data === undefined ? { errors } : { errors, data });
      };
      const parsed = parseWithinLimits(body.query, registryLexicalLimits);
      if (!parsed.document) return refuse([refusedText(parsed.violation)]);
      const invalid = validate(schema, parsed.document);
      if (invalid.length > 0) {
        return refuse(invalid.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })));
      }
      const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
      const variables = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : undefined;
      const refused = refusedOperation(schema, parsed.document, operationName, variables);
      if (refused) return refuse([refused]);
      const result = await execute({ schema, document: parsed.document, variableValues: variables, operationName });
      if (!result.errors) {
        res.json({ data: result.data });
        return;
      }
      refuse(
        result.errors.map((e) => formatExecutionError(e, options.logger, 'uplink')),
        result.data,
      );
    } catch (err) {
      next(err);
    }
  });
}
