import { unwrapResolverError } from '@apollo/server/errors';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError } from '../errors';
import { tokenLimitIn, tokenViolation } from '../limits/parse-within-limits';

/**
 * Domain errors keep their message and code; a unique-key race becomes CONFLICT; a document over
 * the token limit is MAX_TOKENS_LIMIT, as the gateway answers it; anything unexpected is logged in full and reaches the client only as INTERNAL_SERVER_ERROR.
 */
export function formatErrorFor(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        ...formatted,
        message: original.message,
        extensions: { ...original.details, code: original.code },
      };
    }
    if (original instanceof UniqueConstraintViolationException) {
      return { ...formatted, message: 'already exists', extensions: { code: 'CONFLICT' } };
    }
    // graphql-js's own wording for Apollo Server's parseOptions.maxTokens, recoded as every service and the gateway code it.
    const tokenLimit = formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' ? tokenLimitIn(formatted.message) : null;
    if (tokenLimit !== null) {
      const { code, message } = tokenViolation({ maxTokens: tokenLimit });
      return { message, extensions: { code } };
    }
    // graphql-js's own refusal before any resolver ran ("Schema is not configured to execute
    // subscription operation."), which Apollo Server codes as internal: the caller asked for it.
    if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR' && !formatted.path && error instanceof GraphQLError && !error.originalError) {
      return { message: formatted.message, locations: formatted.locations, extensions: { code: 'BAD_USER_INPUT' } };
    }
    if (formatted.extensions?.code === 'INTERNAL_SERVER_ERROR') {
      logger.error({ err: original, path: formatted.path }, 'unexpected resolver error');
      return { message: 'internal error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  };
}
