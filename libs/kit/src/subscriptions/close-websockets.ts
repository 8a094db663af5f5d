import type { WebSocketServer } from 'ws';

/**
 * Runs graphql-ws' `dispose` (every socket closed with 1001, going away) and cuts off the
 * sockets that have not answered their close after `answerWithinMs`: a client that is not
 * reading never answers, and ws would wait 30 s for each, past a stopping process's deadline.
 */
export async function closeWebSockets(dispose: () => void | Promise<void>, wss: WebSocketServer, answerWithinMs = 2_000): Promise<void> {
  const disposed = dispose();
  const cutOff = setTimeout(() => wss.clients.forEach((socket) => socket.terminate()), answerWithinMs);
  try {
    await disposed;
  } finally {
    clearTimeout(cutOff);
  }
}
