import { makeExecutableSchema } from '@graphql-tools/schema';
import { jsonBody, loadSchemaFile, Logger, Orm, parseWithinLimits } from '@ficus/kit';
import type { Express } from 'express';
import { execute, getOperationAST, Kind, validate, DocumentNode } from 'graphql';
import type { RegistryDeps } from '../graphql/context';
import { callerOf } from '../http/caller';
import { formatExecutionError, refusedOperation, refusedText } from '../http/graphql-refusals';
import { registryLexicalLimits } from '../http/request-limits';
import { roverResolvers, RoverContext } from './resolvers';

const unsupported =
  'This registry answers only the part of Apollo’s Platform API that rover’s subgraph check, publish, fetch and list, ' +
  'supergraph fetch and compose, and config whoami send (see docs/schema-registry.md).';

/**
 * GraphOS turns away a missing or unknown key at its gateway with HTTP 200, `data: null` and this
 * error; rover prints its message (`error: Unauthorized: Invalid credentials provided`).
 */
const invalidCredentials = {
  data: null,
  errors: [{ message: 'Unauthorized: Invalid credentials provided', extensions: { code: 'UNAUTHENTICATED' } }],
};

/**
 * An operation refused before it runs, with each root field null in `data`: rover 0.41 reads a
 * check's `data` before its `errors`, and prints "No data field provided" for an answer without
 * data, or with `data: null`, instead of the reason ("Response returned with errors: … reason").
 */
function refusal(errors: unknown[], document?: DocumentNode, operationName?: string) {
  const operation = document ? getOperationAST(document, operationName) : null;
  if (!operation) return { errors };
  const data: Record<string, null> = {};
  for (const selection of operation.selectionSet.selections) if (selection.kind === Kind.FIELD) data[(selection.alias ?? selection.name).value] = null;
  return { data, errors };
}

/**
 * `POST /api/graphql`: the Platform API subset rover speaks (schema in platform-api.graphql).
 * Answers are always HTTP 200 with a GraphQL body, as GraphOS does; only a body that is not a
 * GraphQL request gets 400.
 */
export function roverApiRoute(app: Express, options: { orm: Orm; deps: RegistryDeps; logger: Logger; bodyLimitBytes: number }): void {
  const schema = makeExecutableSchema({ typeDefs: loadSchemaFile(__dirname, 'platform-api.graphql'), resolvers: roverResolvers });
  app.post('/api/graphql', jsonBody(options.bodyLimitBytes), async (req, res, next) => {
    try {
      const body = req.body as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
      if (typeof body?.query !== 'string') {
        res.status(400).json({ errors: [{ message: 'a GraphQL request needs a "query" string', extensions: { code: 'BAD_REQUEST' } }] });
        return;
      }
      const em = options.orm.em.fork();
      const caller = await callerOf(req, em);
      const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
      const client = { name: req.get('apollographql-client-name') ?? '', version: req.get('apollographql-client-version') ?? '' };
      const parsed = parseWithinLimits(body.query, registryLexicalLimits);
      // `config whoami` is the one request answered without a valid key: rover reports a bad key
      // only when `me` comes back null, and prints "No data field provided" for the error below.
      if (!caller.apiKey && (!parsed.document || !asksOnlyWhoAmI(parsed.document, operationName))) {
        req.log.info({ operationName, client, keyPresented: caller.presented }, 'rover API request without a valid key');
        res.json(invalidCredentials);
        return;
      }
      if (!parsed.document) {
        res.json(refusal([refusedText(parsed.violation)]));
        return;
      }
      const document = parsed.document;
      const invalid = validate(schema, document);
      if (invalid.length > 0) {
        req.log.warn({ operationName, client, errors: invalid.map((e) => e.message) }, 'rover API request outside the supported subset');
        const errors = invalid.map((e) => ({ message: `${e.message} ${unsupported}`, locations: e.locations, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        res.json(refusal(errors, document, operationName));
        return;
      }

      const context: RoverContext = {
        em,
        caller,
        logger: req.log,
        requestId: req.requestId,
        deps: options.deps,
        origin: `${req.protocol}://${req.get('host')}`,
      };
      const variables = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : undefined;
      const refused = refusedOperation(schema, document, operationName, variables);
      if (refused) {
        req.log.info({ operationName, client, code: refused.extensions?.code }, 'rover API request refused');
        res.json(refusal([refused], document, operationName));
        return;
      }
      const result = await execute({ schema, document, variableValues: variables, operationName, contextValue: context });
      req.log.info({ operationName, client, errors: result.errors?.length ?? 0 }, 'rover API request');
      const errors = result.errors?.map((e) => formatExecutionError(e, options.logger, 'rover API'));
      // Variables that do not coerce stop execution before it starts: no data, as for a refusal.
      if (errors && result.data === undefined) res.json(refusal(errors, document, operationName));
      else res.json(errors ? { errors, data: result.data } : { data: result.data });
    } catch (err) {
      next(err);
    }
  });
}

/** Whether the operation selects nothing at its root but `me` (and `__typename`): rover's `ConfigWhoAmIQuery`. */
function asksOnlyWhoAmI(document: DocumentNode, operationName: string | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return false;
  return operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && (selection.name.value === 'me' || selection.name.value === '__typename'),
  );
}
