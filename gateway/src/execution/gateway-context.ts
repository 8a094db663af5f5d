import type { Identity, Logger } from '@ficus/kit';
import type { AdmittedOperation } from '../pipeline/admission';

/** What each GraphQL request carries from the HTTP layer to the subgraph requests it causes. */
export interface GatewayContext {
  requestId: string;
  /** W3C trace context from the client, forwarded as is. */
  traceparent: string | null;
  identity: Identity | null;
  /** The client's IP address (behind trusted proxies, the one they name), forwarded to subgraphs for their own limits. */
  clientAddress: string;
  /**
   * When the bearer token that proved `identity` expires (ms since the epoch): a subscription
   * opened with it ends then. Absent where the transport ends it itself (a WebSocket closes).
   */
  credentialsExpireAt?: number | null;
  logger: Logger;
  /** The operation as the request pipeline admitted it (HTTP queries and mutations), for what runs after execution. */
  admitted?: AdmittedOperation;
}
