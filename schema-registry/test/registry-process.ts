import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createTestDatabase, freePort, TestDatabase, waitFor } from '@ficus/testkit';

class RegistryExited extends Error {}

const main = path.resolve(__dirname, '../dist/src/main.js');

export interface RegistryProcess {
  baseUrl: string;
  /** The development bootstrap key: every scope, admin included. */
  key: string;
  /** What the process wrote to stderr, for a failing test's message. */
  stderr(): string;
  stop(): Promise<void>;
}

/** `node dist/src/main.js` as `npm start` runs it, over a SQLite database of its own; resolves once /ready answers. */
export async function startRegistryProcess(label: string): Promise<RegistryProcess> {
  const db: TestDatabase = await createTestDatabase('sqlite', label);
  const port = await freePort();
  const key = `ficus_${randomBytes(32).toString('base64url')}`;
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: `file:${(db.target as { path: string }).path}`,
      REGISTRY_BOOTSTRAP_KEY: key,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await db.drop();
  };
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new RegistryExited(`the registry exited with ${child.exitCode}: ${stderr}`);
        return fetch(`${baseUrl}/ready`).then((r) => r.ok, () => false);
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the registry to be ready', failFast: RegistryExited },
    );
  } catch (err) {
    await stop();
    throw err instanceof RegistryExited ? err : new Error(`${(err as Error).message}: ${stderr}`);
  }
  return { baseUrl, key, stderr: () => stderr, stop };
}
