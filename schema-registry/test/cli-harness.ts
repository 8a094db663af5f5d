import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestRegistry, TestRegistry } from './registry-harness';

const cli = path.resolve(__dirname, '../dist/src/cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ficus` as a real process; async, because the registry it talks to runs in this process. */
export function ficus(args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** A test registry for `ficus` to talk to; fails first, and says why, when the CLI is not built. */
export async function startRegistryForCli(label: string): Promise<TestRegistry> {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run \`npx tsc --build schema-registry\` first`);
  return startTestRegistry('sqlite', label);
}

/** A folder of its own for the files a test hands `ficus`. */
export class ScratchFolder {
  readonly dir: string;

  constructor(prefix: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  }

  /** Writes a file into the folder and returns its path. */
  file = (name: string, text: string): string => {
    const target = path.join(this.dir, name);
    fs.writeFileSync(target, text);
    return target;
  };

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
