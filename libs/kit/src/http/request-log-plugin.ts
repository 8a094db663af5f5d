import type { ApolloServerPlugin } from '@apollo/server';

/** One log line per GraphQL operation: name, duration, error codes. */
export function requestLogPlugin<T extends { logger: { info(o: object, m: string): void } }>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, errors }) {
          contextValue.logger.info(
            {
              operationName: operationName ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              errorCodes: errors?.map((e) => e.extensions?.code ?? 'UNKNOWN') ?? [],
            },
            'graphql operation',
          );
        },
      };
    },
  };
}
