import type { CliIo } from './command';

/**
 * Control characters other than tab and newline, and the bidirectional overrides: echoed as
 * given from an argument, a file or a registry's answer, they would move the cursor, recolour a
 * CI log or reorder what a reader sees.
 */
const unprintable = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The text with each unprintable character written as its `\uXXXX` escape. */
export function terminalSafe(text: string): string {
  return text.replace(unprintable, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The same io, with what goes to stderr made terminal-safe; stdout (an SDL, JSON) is data and stays byte-exact. */
export function withTerminalSafeStderr(io: CliIo): CliIo {
  return { stdout: io.stdout, stdin: io.stdin, env: io.env, stderr: { write: (text: string) => io.stderr.write(terminalSafe(text)) } };
}
