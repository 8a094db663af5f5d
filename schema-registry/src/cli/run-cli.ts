import fs from 'node:fs';
import path from 'node:path';
import { CliIo, Command, ExitCode, exitCodes, InputError, UsageError } from './command';
import { commands } from './commands';
import { asksForJson, writeJson } from './json-output';
import { defaultClientTimeoutSeconds } from './post-json';
import { defaultRegistryUrl } from './registry-client';
import { withTerminalSafeStderr } from './terminal-safe';

/** This package's version, from its package.json (found from the source and the compiled file alike). */
function ownVersion(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === '@ficus/schema-registry') return manifest.version ?? 'unknown';
  }
  return 'unknown';
}

/** Runs one `ficus` invocation and returns its exit code; never exits the process itself. */
export async function runCli(argv: string[], io: CliIo, available: Command[] = commands): Promise<ExitCode> {
  const output = withTerminalSafeStderr(io);
  const [noun, verb, ...args] = argv;
  if (noun === '--version' || noun === '-V') {
    output.stdout.write(`ficus ${ownVersion()}\n`);
    return exitCodes.ok;
  }
  if (noun === undefined || noun === '--help' || noun === '-h' || noun === 'help') {
    const asked = noun !== undefined;
    (asked ? output.stdout : output.stderr).write(`${overview(available)}\n`);
    return asked ? exitCodes.ok : exitCodes.usage;
  }
  const command = available.find((c) => c.noun === noun && c.verb === verb);
  if (!command) {
    output.stderr.write(`error: unknown command "ficus ${[noun, verb].filter(Boolean).join(' ')}"\n\n${overview(available)}\n`);
    return exitCodes.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    output.stdout.write(`${command.usage}\n`);
    return exitCodes.ok;
  }
  try {
    return await command.run(args, output);
  } catch (err) {
    if (err instanceof UsageError) {
      output.stderr.write(`error: ${err.message}\n\n${command.usage}\n`);
      return exitCodes.usage;
    }
    if (err instanceof InputError) {
      if (asksForJson(args)) writeJson(output, null, { message: err.message, code: err.code });
      else output.stderr.write(`error: ${err.message}\n`);
      return exitCodes.failed;
    }
    throw err;
  }
}

function overview(available: Command[]): string {
  const width = Math.max(...available.map((c) => `${c.noun} ${c.verb}`.length));
  const lines = available.map((c) => `  ${`${c.noun} ${c.verb}`.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: ficus <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    `Environment: FICUS_REGISTRY_URL (default ${defaultRegistryUrl}), FICUS_API_KEY, FICUS_CLIENT_TIMEOUT (seconds per request, default ${defaultClientTimeoutSeconds}).`,
    'Run ficus <command> --help for its options, ficus --version for the version.',
    'Exit: 0 done, 1 not done (failed check, refused publish, registry error), 2 bad arguments.',
  ].join('\n');
}
