import { unprintableInLines } from '../unprintable';
import type { CliIo } from './command';

/**
 * The text with each control character (but tab and newline) and bidirectional override written as
 * its `\uXXXX` escape: echoed as given from an argument, a file or a registry's answer, they would
 * move the cursor, recolour a CI log or reorder what a reader sees.
 */
export function terminalSafe(text: string): string {
  return text.replace(unprintableInLines, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The same io, with what goes to stderr made terminal-safe; stdout (an SDL, JSON) is data and stays byte-exact. */
export function withTerminalSafeStderr(io: CliIo): CliIo {
  return { stdout: io.stdout, stdin: io.stdin, env: io.env, stderr: { write: (text: string) => io.stderr.write(terminalSafe(text)) } };
}
