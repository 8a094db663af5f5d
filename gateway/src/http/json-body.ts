import { charsetOf, jsonBody as parsedJsonBody } from '@ficus/kit/service';
import type { HttpStage } from './gateway-request';

/**
 * The JSON body of a GraphQL POST, read whole and parsed: the common request (identity encoding,
 * UTF-8 JSON) without body-parser's machinery, which cost more than the operation's own admission;
 * anything else (a compressed body, another charset) goes through the kit's body-parser, which
 * decodes UTF-16 and refuses other charsets with 415. Failures are body-parser's
 * errors (`entity.too.large` 413, `entity.parse.failed` 400), which `bodyErrorHandler` answers.
 */
export function jsonBody(limitBytes: number): HttpStage {
  // Made on the first request that needs it: few do, and its decoders are the only users of their modules.
  let general: ReturnType<typeof parsedJsonBody> | undefined;
  return (req, res, next): void => {
    const contentType = req.headers['content-type'];
    const encoding = req.headers['content-encoding'];
    if (req.method !== 'POST' || !contentType || !/^application\/(graphql-response\+)?json\b/i.test(contentType)) return void next();
    if ((encoding !== undefined && encoding.toLowerCase() !== 'identity') || !isUtf8(contentType)) return void (general ??= parsedJsonBody(limitBytes))(req, res, next);
    if (Number(req.headers['content-length'] ?? 0) > limitBytes) return void next(bodyError(413, 'entity.too.large', 'request body is too large'));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limitBytes) {
        failed = true;
        // Not read further: the answer goes out now and the connection closes after it.
        res.setHeader('connection', 'close');
        req.pause();
        next(bodyError(413, 'entity.too.large', 'request body is too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      try {
        // As body-parser's strict mode: only an object or an array is a GraphQL body.
        if (!/^[\s]*[{[]/.test(text)) throw new SyntaxError('not an object or an array');
        req.body = JSON.parse(text);
      } catch {
        // With the text, as body-parser gives it: JSON of another kind (`null`, `42`) is told what it should be.
        next(Object.assign(bodyError(400, 'entity.parse.failed', 'request body is not valid JSON'), { body: text }));
        return;
      }
      next();
    });
    req.on('error', (err) => {
      if (!failed) next(err);
      failed = true;
    });
  };
}

/** Whether a JSON content type's charset, if it names one, is UTF-8 (JSON's own encoding). */
function isUtf8(contentType: string): boolean {
  const charset = charsetOf(contentType);
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}

function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type });
}
