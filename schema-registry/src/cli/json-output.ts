import type { CliOutput } from './command';

/** The error of a `--format json` envelope; `code` is a `cliErrorCodes` key or the registry's error code. */
export interface CliFailure {
  message: string;
  code: string;
}

/**
 * rover's `--format json` envelope: `{ json_version, data: { …, success }, error }`, so scripts
 * written for rover read ficus the same way. `success` is false exactly when `error` is set.
 */
export function jsonEnvelope(data: object | null, error: CliFailure | null = null) {
  return { json_version: '1', data: { ...data, success: error === null }, error };
}

export function writeJson(io: CliOutput, data: object | null, error: CliFailure | null = null): void {
  io.stdout.write(`${JSON.stringify(jsonEnvelope(data, error), null, 2)}\n`);
}

/** Whether the arguments ask for `--format json` (read before a command parses them, for errors thrown while it runs). */
export function asksForJson(args: string[]): boolean {
  return args.some((arg, i) => arg === '--format=json' || (arg === '--format' && args[i + 1] === 'json'));
}
