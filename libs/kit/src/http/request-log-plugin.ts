import type { ApolloServerPlugin } from '@apollo/server';
import type { ServiceMetrics } from '../metrics/service-metrics';

/** One log line and one histogram sample per GraphQL operation: name, duration, error codes. */
export function requestLogPlugin<T extends { logger: { info(o: object, m: string): void } }>(
  metrics?: ServiceMetrics,
): ApolloServerPlugin<T> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, errors }) {
          const durationMs = performance.now() - started;
          metrics?.graphqlOperationSeconds.observe(
            { operation: operationName ?? 'anonymous', outcome: errors?.length ? 'error' : 'ok' },
            durationMs / 1000,
          );
          contextValue.logger.info(
            {
              operationName: operationName ?? null,
              durationMs: Math.round(durationMs * 10) / 10,
              errorCodes: errors?.map((e) => e.extensions?.code ?? 'UNKNOWN') ?? [],
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
