import type { Identity, Logger } from '@ficus/kit/service';
import type { AdmittedOperation } from '../pipeline/admission';

/** What each GraphQL request carries from the HTTP layer to the subgraph requests it causes. */
export interface GatewayContext {
  requestId: string;
  /** W3C trace context from the client, forwarded as is; null when tracing is on (each subgraph request then carries its own span's). */
  traceparent: string | null;
  identity: Identity | null;
  /** The bearer token's OAuth2 scopes, for @requiresScopes; empty for an anonymous request. */
  scopes?: readonly string[];
  /** The client's IP address (behind trusted proxies, the one they name), forwarded to subgraphs for their own limits. */
  clientAddress: string;
  /**
   * When the bearer token that proved `identity` expires (ms since the epoch): a subscription
   * opened with it ends then. Absent where the transport ends it itself (a WebSocket closes).
   */
  credentialsExpireAt?: number | null;
  logger: Logger;
  /** The client application, from the apollographql-client-name and -version headers, for usage reporting. */
  client?: { name: string; version: string };
  /** The operation as the request pipeline admitted it. */
  admitted?: AdmittedOperation;
}
