import { clientAddressHeader, identityToHeaders } from '@ficus/kit/service';
import type { GatewayContext } from './gateway-context';

/** What the gateway tells a subgraph about the request that caused a subgraph request, over HTTP or graphql-ws. */
export function forwardedHeaders(context: GatewayContext): Record<string, string> {
  return {
    'x-request-id': context.requestId,
    ...(context.traceparent ? { traceparent: context.traceparent } : {}),
    [clientAddressHeader]: context.clientAddress,
    ...(context.identity ? identityToHeaders(context.identity) : {}),
  };
}
