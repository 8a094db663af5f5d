import { readTextWithin } from '../read-text';
import { CliIo, InputError } from './command';

/** Reads a schema file, or stdin for `-` as rover does. */
export function readSchemaArg(file: string, io: CliIo): Promise<string> {
  return readTextArg(file, io, 'schema');
}

/** Reads the file an option names, or stdin for `-`; `what` names it in the error. */
export async function readTextArg(file: string, io: CliIo, what: string): Promise<string> {
  return readTextWithin(file === '-' ? io.stdin : file).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read ${what} ${file === '-' ? 'from stdin' : file}: ${err.code ?? err.message}`);
  });
}
