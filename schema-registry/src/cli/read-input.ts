import fs from 'node:fs/promises';
import { CliIo, InputError } from './command';

/** Reads a schema file, or stdin for `-` as rover does. */
export function readSchemaArg(file: string, io: CliIo): Promise<string> {
  return readTextArg(file, io, 'schema');
}

/** Reads the file an option names, or stdin for `-`; `what` names it in the error. */
export async function readTextArg(file: string, io: CliIo, what: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    return Buffer.concat(chunks).toString('utf8');
  }
  return fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read ${what} ${file}: ${err.code ?? err.message}`);
  });
}
