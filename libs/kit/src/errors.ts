/**
 * The error codes a client can rely on, in `extensions.code` of a GraphQL error.
 * Apollo Server's own codes (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, …) are kept as they are.
 */
export const errorCodes = {
  BAD_USER_INPUT: 'The input is malformed or breaks a rule (a negative price, an unknown product).',
  BAD_REQUEST: 'The HTTP request itself is malformed (not JSON, too large, no query).',
  UNAUTHENTICATED: 'No valid credentials: the token is missing, expired, forged, or the password is wrong.',
  FORBIDDEN: 'The caller is known but may not do this (an admin-only mutation).',
  NOT_FOUND: 'The thing named does not exist.',
  CONFLICT: 'The change collides with existing data (a duplicate SKU or email).',
  MAX_DEPTH_LIMIT: 'The operation nests fields deeper than the service allows (MAX_DEPTH).',
  MAX_ALIASES_LIMIT: 'The operation selects more fields under aliases than the service allows: each alias can ask for the same large value again.',
  MAX_ENTITY_REPRESENTATIONS_LIMIT: 'One _entities call names more entities than the service resolves at once (MAX_ENTITY_REPRESENTATIONS).',
  MAX_LIST_LENGTH_LIMIT: 'An argument holds a list longer than the service accepts (MAX_LIST_LENGTH).',
  SERVICE_OVERLOADED: 'The service holds as many request bodies at once as it allows (REQUEST_BODIES_MAX_BYTES): retry shortly, as Retry-After says.',
  REQUEST_ABANDONED: 'The client closed its connection while its work waited to begin: the work was dropped, nothing was done.',
  QUEUE_FULL: 'The service holds as much queued work of this kind as it allows (schema checks waiting for composition); retry later.',
  COMPOSITION_TIMEOUT: 'A composition ran longer than the schema registry allows (COMPOSITION_TIMEOUT_MS) and was stopped: nothing was published or checked.',
  WORKER_FAILED: 'The worker thread doing the work stopped (out of memory, a crash): the work was not done; the service keeps serving.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure; the details are in the service log, keyed by request id.',
} as const;

export type ErrorCode = keyof typeof errorCodes;

/** A failure the domain expects and the client can act on. Thrown by use cases, mapped by the GraphQL layer. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new DomainError('BAD_USER_INPUT', message, details);
export const conflict = (message: string, details?: Record<string, unknown>) => new DomainError('CONFLICT', message, details);
export const notFound = (message: string) => new DomainError('NOT_FOUND', message);
export const unauthenticated = (message = 'sign in first') => new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message = 'not allowed') => new DomainError('FORBIDDEN', message);

/** A refusal made before GraphQL runs (HTTP, limits, signature), in GraphQL's error shape: one error and its code. */
export function errorBody(code: string, message: string): { errors: [{ message: string; extensions: { code: string } }] } {
  return { errors: [{ message, extensions: { code } }] };
}
