import type { HttpStage } from './gateway-request';

/** How the client's address is found from the socket's address and `X-Forwarded-For`. */
export type ClientAddressOf = (socketAddress: string | undefined, forwardedFor: string | string[] | undefined) => string;

/** Sets `req.clientAddress`, once, for every stage after it (rate limits, subscription caps, subgraphs' own limits). */
export function clientAddressMiddleware(clientAddressOf: ClientAddressOf): HttpStage {
  return (req, _res, next) => {
    req.clientAddress = clientAddressOf(req.socket.remoteAddress, req.headers['x-forwarded-for']);
    next();
  };
}
