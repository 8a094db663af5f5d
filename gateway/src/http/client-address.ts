import type { RequestHandler } from 'express';

declare module 'express-serve-static-core' {
  interface Request {
    /** The client's IP address: the socket's, or behind trusted proxies the one they forward. */
    clientAddress: string;
  }
}

/** How the client's address is found from the socket's address and `X-Forwarded-For`. */
export type ClientAddressOf = (socketAddress: string | undefined, forwardedFor: string | string[] | undefined) => string;

/** Sets `req.clientAddress`, once, for every stage after it (rate limits, subscription caps, subgraphs' own limits). */
export function clientAddressMiddleware(clientAddressOf: ClientAddressOf): RequestHandler {
  return (req, _res, next) => {
    req.clientAddress = clientAddressOf(req.socket.remoteAddress, req.headers['x-forwarded-for']);
    next();
  };
}
