import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import type { ServiceMetrics } from '../metrics/service-metrics';

/** One log line and one histogram sample per GraphQL operation: name, duration, error codes. */
export function requestLogPlugin<T extends { logger: { info(o: object, m: string): void } }>(
  metrics?: ServiceMetrics,
): ApolloServerPlugin<T> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, errors, response }) {
          const durationMs = performance.now() - started;
          metrics?.graphqlOperationSeconds.observe(
            { operation: operationName ?? 'anonymous', outcome: errors?.length ? 'error' : 'ok' },
            durationMs / 1000,
          );
          contextValue.logger.info(
            {
              operationName: operationName ?? null,
              durationMs: Math.round(durationMs * 10) / 10,
              errorCodes: sentErrorCodes(response.body),
            },
            'graphql operation',
          );
        },
      };
    },
  };
}

/**
 * The codes of the errors as the client gets them: `formatError` gives a domain error its code,
 * so the request's raw errors would not have it.
 */
function sentErrorCodes(body: GraphQLResponse['body']): unknown[] {
  const sent = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
  return sent?.map((e) => e.extensions?.code ?? 'UNKNOWN') ?? [];
}
