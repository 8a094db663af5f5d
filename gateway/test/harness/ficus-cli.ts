import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { TestRegistry } from './test-registry';

/** The registry's `ficus` CLI as built by `npx tsc --build schema-registry`. */
export const ficusCli = path.resolve(__dirname, '../../../schema-registry/dist/src/cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Fails first, and says why, when the CLI is not built. */
export function requireFicusCli(): void {
  if (!fs.existsSync(ficusCli)) throw new Error(`${ficusCli} is missing: run \`npx tsc --build schema-registry\` first`);
}

/** `ficus <args>` as a real process against the test registry; async, since the registry runs in this process. */
export function ficus(registry: TestRegistry, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ficusCli, ...args], {
      env: { PATH: process.env.PATH ?? '', FICUS_REGISTRY_URL: registry.baseUrl, FICUS_API_KEY: registry.key },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
