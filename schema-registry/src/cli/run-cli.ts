import { CliIo, Command, ExitCode, exitCodes, InputError, UsageError } from './command';
import { commands } from './commands';

/** Runs one `ficus` invocation and returns its exit code; never exits the process itself. */
export async function runCli(argv: string[], output: CliIo, available: Command[] = commands): Promise<ExitCode> {
  const [noun, verb, ...args] = argv;
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
      output.stderr.write(`error: ${err.message}\n`);
      return exitCodes.usage;
    }
    throw err;
  }
}

function overview(available: Command[]): string {
  const width = Math.max(...available.map((c) => `${c.noun} ${c.verb}`.length));
  const lines = available.map((c) => `  ${`${c.noun} ${c.verb}`.padEnd(width)}  ${c.summary}`);
  return ['Usage: ficus <command> [options]', '', 'Commands:', ...lines, '', 'Run ficus <command> --help for its options.'].join('\n');
}
