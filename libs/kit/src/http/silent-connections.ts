import type http from 'node:http';
import type { Socket } from 'node:net';

/** As Apollo Router's default header read timeout, which runs from the moment a connection opens. */
export const silentConnectionTimeoutMs = 10_000;

/**
 * Closes a connection that has sent no byte within `afterMs` of opening. Node times out a request
 * whose headers or body trickle in (headersTimeout, requestTimeout) and an idle keep-alive
 * connection after a response (keepAliveTimeout), but never a connection on which no request
 * has begun: one client opening such connections by the thousand held a file descriptor each,
 * until the process could accept no one and open no connection of its own.
 */
export function closeSilentConnections(server: http.Server, afterMs: number = silentConnectionTimeoutMs): void {
  server.on('connection', (socket: Socket) => {
    // Once a byte has come, the request timeouts and the keep-alive timeout govern the connection.
    const timer = setTimeout(() => socket.bytesRead === 0 && socket.destroy(), afterMs).unref();
    socket.once('close', () => clearTimeout(timer));
  });
}
