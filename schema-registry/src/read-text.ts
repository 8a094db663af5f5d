import fs from 'node:fs';

/**
 * The most a file (or stdin) handed to the CLI or to offline composition may hold: far more than
 * any schema, supergraph config or manifest (the registry takes request bodies of 10 MB by
 * default), so that a wrong path (`/dev/zero`, an endless pipe) stops here rather than when the
 * process has taken all the memory there is.
 */
export const maxInputBytes = 64 * 1024 * 1024;

/**
 * Reads a file, or a stream such as stdin, as UTF-8 text, up to `maxInputBytes`. A file that
 * cannot be opened fails with Node's error (its `code`: ENOENT, EISDIR, …); one too large, or not
 * UTF-8 (a Latin-1 file would otherwise be published with U+FFFD in place of its accents), with an
 * error without a code, whose message says so.
 */
export async function readTextWithin(source: string | AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of typeof source === 'string' ? fs.createReadStream(source) : source) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    if (size > maxInputBytes) throw new Error(`it holds more than ${maxInputBytes / (1024 * 1024)} MiB, more than any schema, config or manifest`);
    chunks.push(bytes);
  }
  try {
    return utf8.decode(Buffer.concat(chunks));
  } catch {
    throw new Error('it is not UTF-8 text (save it as UTF-8)');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
