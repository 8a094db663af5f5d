import type { Identity, Logger } from '@ficus/kit';

/** What each GraphQL request carries from the HTTP layer to the subgraph requests it causes. */
export interface GatewayContext {
  requestId: string;
  /** W3C trace context from the client, forwarded as is. */
  traceparent: string | null;
  identity: Identity | null;
  logger: Logger;
}
