import { GraphQLError } from 'graphql';

/**
 * Router's code for a field or type removed by authorization (status 200: the rest is served).
 * Built here because `gatewayError` takes no path.
 */
export const unauthorizedCode = 'UNAUTHORIZED_FIELD_OR_TYPE';

/** One removed selection, at Router's path form (see `Removal.path`). */
export function unauthorizedError(path: readonly string[]): GraphQLError {
  return new GraphQLError('Unauthorized field or type', { path, extensions: { code: unauthorizedCode } });
}
