import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayWebSocketServer, WebSocketServerOptions } from './websocket-server';

/**
 * The graphql-ws server, started by the first WebSocket upgrade, which it then takes: a gateway
 * that no client opens a socket to does not hold it (ws and graphql-ws are 2.3 MB of heap, and
 * the gateway's resident memory is a target of its own, docs/benchmarks.md).
 */
export function webSocketsOnFirstUpgrade(options: WebSocketServerOptions): GatewayWebSocketServer {
  let started: GatewayWebSocketServer | null = null;
  const start = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    options.httpServer.off('upgrade', start);
    const { startWebSocketServer } = require('./websocket-server') as typeof import('./websocket-server');
    started = startWebSocketServer(options);
    // The server listens for upgrades from now on; this one arrived before it did.
    options.httpServer.emit('upgrade', request, socket, head);
  };
  options.httpServer.on('upgrade', start);
  return {
    async stop() {
      options.httpServer.off('upgrade', start);
      await started?.stop();
    },
  };
}
