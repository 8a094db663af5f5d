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

/**
 * rover's convention: 0 done; 1 the command did not get done (a failed check, a refused publish, a
 * registry that cannot be reached or refuses the request, a file that cannot be read); 2 arguments
 * that do not parse.
 */
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

/**
 * The codes in `error.code` of `--format json` output, for scripts to branch on. Errors the
 * registry answers keep its own code (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, …).
 */
export const cliErrorCodes = {
  CHECK_FAILED: 'A check found composition errors or blocking changes (subgraph check, events check).',
  COMPOSITION_FAILED: 'The variant (or supergraph config) does not compose with the subgraph: nothing was published.',
  BREAKING_CHANGE: 'Event contracts publish refused: a breaking change without --allow-breaking.',
  CONFLICT: 'Persisted queries publish refused: an operation id already names another body.',
  NOT_FOUND: 'The subgraph or supergraph asked for is not in the registry.',
  INPUT_UNREADABLE: 'A file the arguments name cannot be read or written, or is not what it should be.',
  REGISTRY_UNREACHABLE: 'The registry (or, for subgraph introspect, the subgraph) cannot be reached or gave no GraphQL answer.',
  OVERRIDE_STEP_INVALID: 'An override step does not apply to the variant as published (the field is not there, or already moved).',
  CONFIG_INVALID: 'The configuration in the environment is invalid: FICUS_API_KEY or FICUS_CLIENT_TIMEOUT cannot be used, or key create runs without FICUS_API_KEY.',
} as const;

export type CliErrorCode = keyof typeof cliErrorCodes;

/**
 * The command could not be done: a file the arguments name is missing or malformed, or the
 * registry cannot be reached or refuses the request; exit 1. `code` is a `cliErrorCodes` key or
 * the registry's error code.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly code: CliErrorCode | string = 'INPUT_UNREADABLE',
  ) {
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
