import { checkOperationLimits, DomainError, Logger, ParseViolation, refuseNulText } from '@ficus/kit';
import type { DocumentNode, GraphQLError, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { registryOperationLimits } from './request-limits';

/** A text that did not parse, or was past the registry's lexical limits, as a GraphQL error. */
export function refusedText(violation: ParseViolation): GraphQLFormattedError {
  return { message: violation.message, ...(violation.locations ? { locations: violation.locations } : {}), extensions: { code: violation.code } };
}

/**
 * Why a valid operation is not run, or null: beyond the registry's operation limits, or text
 * holding U+0000. For the endpoints that run graphql-js themselves (rover's, Uplink's); `/graphql`
 * applies the same limits through `@ficus/kit`'s server.
 */
export function refusedOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
): GraphQLFormattedError | null {
  try {
    refuseNulText(document, variables);
    checkOperationLimits(schema, document, operationName, variables, registryOperationLimits);
    return null;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return { message: err.message, extensions: { code: err.code } };
  }
}

/**
 * An error of graphql-js's `execute` as the caller sees it. One without a path came before any
 * resolver ran (a variable that does not match its type, whatever graphql-js names as its cause):
 * the caller's. A resolver's DomainError keeps its code; anything else is logged and hidden.
 */
export function formatExecutionError(error: GraphQLError, logger: Logger, endpoint: string): GraphQLFormattedError {
  const original = error.originalError;
  if (original instanceof DomainError) {
    return { message: original.message, path: error.path, extensions: { ...original.details, code: original.code } };
  }
  if (!error.path) return { message: error.message, locations: error.locations, extensions: { code: 'BAD_USER_INPUT' } };
  logger.error({ err: original ?? error, path: error.path }, `unexpected resolver error (${endpoint})`);
  return { message: 'internal error', path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
