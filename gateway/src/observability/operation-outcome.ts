import type { GatewayErrorCode } from '../errors';

/** What went wrong with an operation, in classes few enough for a metric label. */
export type ErrorClass = 'invalid' | 'limit' | 'cost' | 'rate_limit' | 'auth' | 'subgraph' | 'internal' | 'unavailable' | 'other';

/** How an operation ended: `success` (no errors) or the class of its first error. */
export type OperationOutcome = 'success' | ErrorClass;

// Every gateway code has a class: a new code does not compile until it is given one.
const classOfCode: Record<GatewayErrorCode, ErrorClass> = {
  BAD_REQUEST: 'invalid',
  BATCHING_NOT_ENABLED: 'invalid',
  INVALID_ACCEPT_HEADER: 'invalid',
  GRAPHQL_PARSE_FAILED: 'invalid',
  GRAPHQL_VALIDATION_FAILED: 'invalid',
  OPERATION_RESOLUTION_FAILURE: 'invalid',
  BAD_USER_INPUT: 'invalid',
  INTROSPECTION_DISABLED: 'invalid',
  PERSISTED_QUERY_NOT_FOUND: 'invalid',
  PERSISTED_QUERY_NOT_SUPPORTED: 'invalid',
  PERSISTED_QUERY_HASH_MISMATCH: 'invalid',
  PERSISTED_QUERY_NOT_IN_LIST: 'invalid',
  QUERY_NOT_IN_SAFELIST: 'invalid',
  PERSISTED_QUERY_ID_REQUIRED: 'invalid',
  CANNOT_SEND_PQ_ID_AND_BODY: 'invalid',
  CSRF_PREVENTION: 'invalid',
  METHOD_NOT_ALLOWED: 'invalid',
  MUTATION_OVER_GET: 'invalid',
  COST_QUERY_PARSE_FAILURE: 'invalid',
  QUERY_PLANNING_FAILED: 'invalid',
  MAX_TOKENS_LIMIT: 'limit',
  MAX_RECURSION_LIMIT: 'limit',
  MAX_DEPTH_LIMIT: 'limit',
  MAX_HEIGHT_LIMIT: 'limit',
  MAX_ALIASES_LIMIT: 'limit',
  MAX_ROOT_FIELDS_LIMIT: 'limit',
  MAX_DIRECTIVES_LIMIT: 'limit',
  TOO_MANY_SUBSCRIPTIONS: 'limit',
  COST_ESTIMATED_TOO_EXPENSIVE: 'cost',
  REQUEST_RATE_LIMITED: 'rate_limit',
  UNAUTHENTICATED: 'auth',
  UNAUTHORIZED_FIELD_OR_TYPE: 'auth',
  RESPONSE_VALIDATION_FAILED: 'subgraph',
  SUBREQUEST_MALFORMED_RESPONSE: 'subgraph',
  SUBREQUEST_HTTP_ERROR: 'subgraph',
  SUBGRAPH_UNAVAILABLE: 'subgraph',
  SUBGRAPH_SUBSCRIPTION_LOST: 'subgraph',
  SUBSCRIPTION_CLIENT_TOO_SLOW: 'limit',
  INTERNAL_SERVER_ERROR: 'internal',
  QUERY_PLANNING_TIMEOUT: 'internal',
  SERVICE_OVERLOADED: 'unavailable',
  SERVICE_UNAVAILABLE: 'unavailable',
  SUPERGRAPH_RELOADED: 'unavailable',
};

/**
 * The class of an error code. A code the gateway does not define was a subgraph's answer
 * (FORBIDDEN, NOT_FOUND, …); FORBIDDEN is the subgraph refusing the caller. No code: other.
 */
export function errorClassOf(code: unknown): ErrorClass {
  if (typeof code !== 'string') return 'other';
  if (Object.hasOwn(classOfCode, code)) return classOfCode[code as GatewayErrorCode];
  return code === 'FORBIDDEN' ? 'auth' : 'subgraph';
}

export interface CodedError {
  extensions?: Record<string, unknown>;
}

/**
 * `success`, or the class of the first error. A subgraph's own failure passed on (it names
 * the subgraph in `serviceName`: INTERNAL_SERVER_ERROR, no code) is `subgraph`, not the
 * gateway's; a subgraph refusing the input or the caller keeps that class.
 */
export function outcomeOf(errors: readonly CodedError[] | undefined): OperationOutcome {
  if (!errors?.length) return 'success';
  const extensions = errors[0]!.extensions;
  const errorClass = errorClassOf(extensions?.code);
  const serverSide = errorClass === 'internal' || errorClass === 'unavailable' || errorClass === 'other';
  return serverSide && extensions?.serviceName !== undefined ? 'subgraph' : errorClass;
}
