import { GraphQLError } from 'graphql';

/**
 * Every code the gateway itself answers an operation with, its HTTP status when it refuses a
 * whole request, and what it means. Names follow Apollo Router's where it has one.
 * docs/security.md lists them. A path no route serves is answered 404 `NOT_FOUND` by the kit's
 * handler, as every service answers it; it is not an operation's code (a subgraph's own
 * `NOT_FOUND` in a result is the subgraph's).
 */
export const gatewayErrors = {
  BAD_REQUEST: { status: 400, meaning: 'The HTTP request is malformed: not JSON, no query, a field of the wrong type.' },
  BATCHING_NOT_ENABLED: { status: 400, meaning: 'The body is an array of operations; batched requests are off.' },
  GRAPHQL_PARSE_FAILED: { status: 400, meaning: 'The document is not valid GraphQL syntax.' },
  GRAPHQL_VALIDATION_FAILED: { status: 400, meaning: 'The document does not validate against the API schema.' },
  OPERATION_RESOLUTION_FAILURE: { status: 400, meaning: 'The document has several operations and operationName names none of them.' },
  BAD_USER_INPUT: { status: 400, meaning: "The variables do not match the operation's variable types." },
  INTROSPECTION_DISABLED: { status: 400, meaning: 'Introspection is off (the default in production; INTROSPECTION=true turns it on).' },
  MAX_TOKENS_LIMIT: { status: 400, meaning: 'The document has more lexical tokens than PARSER_MAX_TOKENS.' },
  MAX_RECURSION_LIMIT: { status: 400, meaning: 'The document nests brackets deeper than PARSER_MAX_RECURSION.' },
  MAX_DEPTH_LIMIT: { status: 400, meaning: 'An operation selects deeper than MAX_DEPTH.' },
  MAX_HEIGHT_LIMIT: { status: 400, meaning: 'An operation selects more distinct fields than MAX_HEIGHT.' },
  MAX_ALIASES_LIMIT: { status: 400, meaning: 'An operation uses more aliases than MAX_ALIASES.' },
  MAX_ROOT_FIELDS_LIMIT: { status: 400, meaning: 'An operation selects more root fields than MAX_ROOT_FIELDS.' },
  MAX_DIRECTIVES_LIMIT: { status: 400, meaning: 'A field carries more directives than MAX_DIRECTIVES_PER_FIELD.' },
  COST_ESTIMATED_TOO_EXPENSIVE: { status: 400, meaning: 'The estimated cost of the operation is over MAX_COST.' },
  REQUEST_RATE_LIMITED: { status: 429, meaning: 'The client has used its request or cost budget for the window; Retry-After says when to try again.' },
  COST_QUERY_PARSE_FAILURE: { status: 400, meaning: 'The operation cannot be priced: a list field that requires a slicing argument (first) has none.' },
  PERSISTED_QUERY_NOT_FOUND: { status: 200, meaning: 'An automatic persisted query id the gateway does not know yet: send the query with it.' },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 200, meaning: 'A persisted query id was sent where neither a list nor APQ is on.' },
  PERSISTED_QUERY_HASH_MISMATCH: { status: 400, meaning: "The query's sha256 is not the persisted query id sent with it." },
  PERSISTED_QUERY_NOT_IN_LIST: { status: 404, meaning: 'The persisted query id is not in the published persisted query list.' },
  QUERY_NOT_IN_SAFELIST: { status: 403, meaning: 'PERSISTED_QUERIES=refuse: the operation text is not one of the published list.' },
  PERSISTED_QUERY_ID_REQUIRED: { status: 400, meaning: 'PERSISTED_QUERIES_REQUIRE_ID: operations must be sent by id.' },
  CANNOT_SEND_PQ_ID_AND_BODY: { status: 400, meaning: 'A persisted query id and a text were sent together while APQ is off.' },
  CSRF_PREVENTION: { status: 400, meaning: 'A GET (or form) request without a header that forces a CORS preflight: Apollo-Require-Preflight, X-Apollo-Operation-Name or a JSON Content-Type.' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'The HTTP method is neither GET nor POST; the Allow header lists those.' },
  MUTATION_OVER_GET: { status: 405, meaning: 'Mutations are sent with POST only.' },
  QUERY_PLANNING_FAILED: { status: 400, meaning: 'The operation cannot be planned over the subgraphs.' },
  QUERY_PLANNING_TIMEOUT: { status: 503, meaning: 'Planning the operation took longer than QUERY_PLANNING_TIMEOUT_MS.' },
  UNAUTHORIZED_FIELD_OR_TYPE: { status: 200, meaning: 'The caller may not see a field (@authenticated, @requiresScopes, @policy): it is null, the rest is served.' },
  RESPONSE_VALIDATION_FAILED: { status: 200, meaning: "A subgraph's answer does not fit the schema (a null in a non-null field, an unknown enum value): the value is null." },
  SUBREQUEST_MALFORMED_RESPONSE: { status: 200, meaning: 'A subgraph answered something that is not the GraphQL response asked for.' },
  UNAUTHENTICATED: { status: 401, meaning: 'The bearer token is malformed, forged or expired.' },
  SUBREQUEST_HTTP_ERROR: { status: 200, meaning: "A subgraph request failed (connection, timeout, 5xx): its fields are null, the rest is served." },
  SUBGRAPH_UNAVAILABLE: { status: 200, meaning: "A subgraph's circuit is open: its fields are null, the rest of the response is served." },
  SUPERGRAPH_RELOADED: { status: 200, meaning: 'The supergraph changed under an open subscription, which ends: subscribe again.' },
  SUBGRAPH_SUBSCRIPTION_LOST: { status: 200, meaning: "The subgraph serving a subscription went away; the subscription ends." },
  SUBSCRIPTION_CLIENT_TOO_SLOW: { status: 200, meaning: "More of a subscription's events waited for the client than SUBSCRIPTION_QUEUE_CAPACITY: the subscription ends; subscribe again." },
  INVALID_ACCEPT_HEADER: { status: 406, meaning: 'A subscription over HTTP without an Accept header that asks for a stream (multipart/mixed;subscriptionSpec="1.0" or text/event-stream).' },
  TOO_MANY_SUBSCRIPTIONS: { status: 429, meaning: 'A connection or client holds as many subscriptions as it may.' },
  SERVICE_OVERLOADED: { status: 503, meaning: 'The gateway holds as many request bodies at once as REQUEST_BODIES_MAX_BYTES allows: retry shortly, as Retry-After says.' },
  SERVICE_UNAVAILABLE: { status: 503, meaning: 'No supergraph is loaded yet, or the gateway is shutting down.' },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: 'An unexpected failure; the details are in the log, keyed by request id.' },
} as const;

export type GatewayErrorCode = keyof typeof gatewayErrors;

/** A GraphQL error with one of the gateway's codes and any further extensions. */
export function gatewayError(code: GatewayErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** A request refused as a whole, before anything runs: the HTTP status and headers to answer with, and the errors. */
export interface Refusal {
  status: number;
  headers?: Record<string, string>;
  errors: GraphQLError[];
}

export function refusal(code: GatewayErrorCode, message: string, extensions: Record<string, unknown> = {}, headers?: Record<string, string>): Refusal {
  return { status: gatewayErrors[code].status, headers, errors: [gatewayError(code, message, extensions)] };
}

/**
 * The refusal for an operation the engine would not run (its planner refused it, say): the
 * engine's code when the gateway has it, else INTERNAL_SERVER_ERROR.
 */
export function engineRefusal(code: string, message: string): Refusal {
  return refusal(code in gatewayErrors ? (code as GatewayErrorCode) : 'INTERNAL_SERVER_ERROR', message);
}

/** The JSON body of a refused request. */
export function refusalBody(refused: Refusal): { errors: ReturnType<GraphQLError['toJSON']>[] } {
  return { errors: refused.errors.map((e) => e.toJSON()) };
}
