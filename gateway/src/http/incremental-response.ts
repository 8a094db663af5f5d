import type { ServerResponse as Response } from 'node:http';
import type { Logger } from '@ficus/kit/service';
import type { IncrementalResult, SubsequentResult } from '../engine/engine';
import { gatewayError } from '../errors';

/**
 * Incremental delivery over HTTP as Apollo Server 4 and Apollo Router speak it for @defer
 * (deferSpec=20220824), which Apollo Client and Sandbox read: a multipart/mixed body whose
 * boundary is `-`, one JSON part per result. Each part is followed at once by the delimiter,
 * because a client takes a part as whole only when the next delimiter arrives; the last one
 * is the closing delimiter `-----`.
 */
export const incrementalContentType = 'multipart/mixed;boundary="-";deferSpec=20220824';

const partHeaders = 'content-type: application/json; charset=utf-8\r\n\r\n';

/** The first part opens with a delimiter; every part ends with the next delimiter, or the closing one. */
export function multipartPart(body: { hasNext: boolean; errors?: unknown[] }, first: boolean): string {
  return `${first ? '\r\n---\r\n' : ''}${partHeaders}${JSON.stringify(body)}\r\n---${body.hasNext ? '' : '--'}\r\n`;
}

/**
 * Whether an Accept header takes @defer's incremental delivery: a `multipart/mixed` range with
 * `deferSpec=20220824`, as Apollo Client sends (`multipart/mixed;deferSpec=20220824,application/json`).
 * The subscription protocol's `subscriptionSpec` is another thing, served elsewhere.
 */
export function acceptsIncremental(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'multipart/mixed') return false;
    const values = new Map(parameters.map((parameter) => {
      const [name, value = ''] = parameter.split('=').map((part) => part.trim());
      return [name, value.replace(/^"|"$/g, '')] as const;
    }));
    return values.get('deferspec') === '20220824' && values.get('q') !== '0';
  });
}

/** Writes an incremental result part by part as its results come; a client that goes away stops the writing. */
export async function writeIncremental(res: Response, result: IncrementalResult, logger: Logger): Promise<void> {
  const iterator = result.subsequent[Symbol.asyncIterator]();
  let clientGone = false;
  res.on('close', () => {
    if (res.writableFinished) return;
    clientGone = true;
    void iterator.return?.();
  });
  res.writeHead(200, {
    'content-type': incrementalContentType,
    'cache-control': 'no-cache',
    // Stops nginx and the like from holding parts back.
    'x-accel-buffering': 'no',
  });
  res.socket?.setNoDelay(true);
  res.write(multipartPart(result.initial, true));
  if (!result.initial.hasNext) return void res.end();
  let last: SubsequentResult = { hasNext: true };
  try {
    while (last.hasNext) {
      const step = await iterator.next();
      if (clientGone) return;
      last = step.done ? { hasNext: false } : step.value;
      res.write(multipartPart(last, false));
    }
  } catch (err) {
    logger.error({ err }, 'an incremental response failed');
    if (!clientGone) res.write(multipartPart({ hasNext: false, errors: [gatewayError('INTERNAL_SERVER_ERROR', 'the gateway failed to complete the response').toJSON()] }, false));
  }
  if (!clientGone) res.end();
}
