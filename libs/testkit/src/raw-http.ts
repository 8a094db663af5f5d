import net from 'node:net';

/**
 * Sends `bytes` as they are to the server at `url` (what an HTTP client would refuse to send) and
 * resolves with everything the server answers, once it has closed the connection.
 */
export function rawHttpExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
  // The server may close while the request is still being written: what it answered is the result.
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(answer)));
  socket.write(bytes);
  return closed;
}

/** The JSON body of a raw HTTP answer. */
export function rawHttpBody(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}
