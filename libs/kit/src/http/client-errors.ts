import http from 'node:http';
import type { Duplex } from 'node:stream';
import { errorBody } from '../errors';

interface Refusal {
  status: number;
  reason: string;
  message: string;
}

/** What Node's HTTP parser refused, with the status Node itself answers it with. */
function refusalOf(err: NodeJS.ErrnoException): Refusal {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', message: `the request's headers are larger than ${http.maxHeaderSize} bytes` };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, reason: 'Payload Too Large', message: "the request's chunk extensions are too large" };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', message: 'the request was not received in time' };
    default:
      return { status: 400, reason: 'Bad Request', message: 'the request is not valid HTTP/1.1' };
  }
}

/**
 * A request that Node's HTTP parser refuses gets the status Node would answer: headers too
 * large, a malformed request, or one not received in time. Its body is in GraphQL's error shape,
 * as every other refusal is, where Node would send an empty body. As in Node's own handler,
 * nothing is written on a connection the client reset or whose response has begun.
 */
export function answerClientErrors(server: http.Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
    if (err.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
      const { status, reason, message } = refusalOf(err);
      const body = JSON.stringify(errorBody('BAD_REQUEST', message));
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  });
}
