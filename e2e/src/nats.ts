import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findNatsServerBinary, isPortOpen, waitFor } from '@ficus/testkit';

export interface NatsEndpoint {
  url: string;
  /** Set when the launcher started the server itself. */
  stop?: () => Promise<void>;
}

export class NatsUnavailableError extends Error {}

/**
 * The NATS to use: `NATS_URL` when given; else one already listening on 127.0.0.1:4222;
 * else `nats-server` from PATH, started with JetStream and its store under the data dir.
 */
export async function resolveNats(options: { natsUrl?: string; dataDir: string }): Promise<NatsEndpoint> {
  if (options.natsUrl) return { url: options.natsUrl };
  if (await isPortOpen(4222)) return { url: 'nats://127.0.0.1:4222' };
  let binary: string;
  try {
    binary = findNatsServerBinary();
  } catch {
    throw new NatsUnavailableError(
      'no NATS server: set NATS_URL, start one on 127.0.0.1:4222, or install nats-server ' +
        '(Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server) and run again',
    );
  }
  const storeDir = path.join(options.dataDir, 'nats');
  fs.mkdirSync(storeDir, { recursive: true });
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', '4222', '-js', '-sd', storeDir], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(async () => child.exitCode === null && (await isPortOpen(4222)), {
    timeoutMs: 10_000,
    what: 'nats-server to listen on 4222',
  });
  return {
    url: 'nats://127.0.0.1:4222',
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
