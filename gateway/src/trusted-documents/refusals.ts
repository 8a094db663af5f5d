import { GatewayErrorCode, Refusal, refusal } from '../errors';

/**
 * The refusals of this stage, with Apollo Router's codes and statuses (Apollo Server's for APQ).
 * None may be cached: a client ahead of the gateway's list must succeed once the list catches up.
 */
const noCache = { 'cache-control': 'private, no-cache, must-revalidate' };

const refused = (code: GatewayErrorCode, message: string): Refusal => refusal(code, message, {}, noCache);

export const trustedDocumentRefusals = {
  /** APQ: an id not registered yet; the client sends it again with the query (HTTP 200, as Apollo Server and Router answer). */
  apqNotFound: () => refused('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound'),
  /** An id sent where neither a list nor APQ can resolve it. */
  notSupported: () => refused('PERSISTED_QUERY_NOT_SUPPORTED', 'PersistedQueryNotSupported'),
  hashMismatch: () => refused('PERSISTED_QUERY_HASH_MISMATCH', 'provided sha does not match query'),
  /** An id the persisted query list does not hold (Router: 404). */
  notInList: (id: string) => refused('PERSISTED_QUERY_NOT_IN_LIST', `Persisted query '${id}' not found in the persisted query list`),
  /** A text that is no listed operation, in refuse mode (Router: 403). */
  notInSafelist: () => refused('QUERY_NOT_IN_SAFELIST', 'The operation body was not found in the persisted query safelist'),
  idRequired: () =>
    refused('PERSISTED_QUERY_ID_REQUIRED', 'This endpoint does not allow freeform GraphQL requests; operations must be sent by ID in the persisted queries GraphQL extension.'),
  idAndBody: () => refused('CANNOT_SEND_PQ_ID_AND_BODY', 'Sending a persisted query ID and a body in the same request is disallowed'),
  badRequest: (message: string) => refused('BAD_REQUEST', message),
} as const;
