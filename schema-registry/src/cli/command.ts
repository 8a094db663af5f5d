import { parseArgs, ParseArgsConfig } from 'node:util';
/** Where a command writes; the real process streams, or buffers in tests. */
export interface CliOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** What a command may touch besides its arguments: the process, or stand-ins in tests. */
export interface CliIo extends CliOutput {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
}

/** rover's convention: 0 done, 1 the command ran and failed (does not compose), 2 bad usage or input. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** `ficus <noun> <verb> [options]`, as rover spells its commands. */
export interface Command {
  noun: string;
  verb: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<ExitCode>;
}

/** Wrong arguments; printed with the command's usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A file the arguments name is missing or malformed, or the registry cannot be reached or refuses the request; exit 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Parses a command's arguments strictly (unknown options are usage errors, exit 2). `--help`
 * never reaches here: `runCli` answers it for every command.
 */
type CommandOptions = NonNullable<ParseArgsConfig['options']>;
type ParsedCommandArgs<O extends CommandOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

export function parseCommandArgs<const O extends CommandOptions>(args: string[], options: O, { positionals = true } = {}): ParsedCommandArgs<O> {
  return parsingArgs(() => parseArgs({ args, options, strict: true, allowPositionals: positionals }) as ParsedCommandArgs<O>);
}

/** Runs an argument parser (node:util parseArgs), turning what it throws into a `UsageError`. */
export function parsingArgs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
