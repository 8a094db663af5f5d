import fs from 'node:fs';
import path from 'node:path';
import { findNatsServerBinary, isPortOpen } from '@ficus/testkit';
import { ChildService } from './child-service';
import { portOpen } from './readiness';
import { SupervisedService, SupervisionOptions } from './supervised-service';

export interface NatsEndpoint {
  url: string;
  /** Set when the launcher started the server itself. */
  stop?: () => Promise<void>;
  /** The server the launcher started, supervised like the other services when supervision is on. */
  service?: SupervisedService;
}

export class NatsUnavailableError extends Error {}

const natsPort = 4222;

/**
 * The NATS to use: `NATS_URL` when given; else one already listening on 127.0.0.1:4222;
 * else `nats-server` from PATH, started with JetStream and its store under the data dir
 * (its output in `logs/nats.log`). A restart reuses the store, so streams and consumers survive.
 */
export async function resolveNats(options: { natsUrl?: string; dataDir: string; supervision?: SupervisionOptions }): Promise<NatsEndpoint> {
  const url = `nats://127.0.0.1:${natsPort}`;
  if (options.natsUrl) return { url: options.natsUrl };
  if (await isPortOpen(natsPort)) return { url };
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
  const child = new ChildService(
    'nats',
    { file: binary, args: ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', storeDir] },
    process.env,
    path.join(options.dataDir, 'logs', 'nats.log'),
  );
  const service = new SupervisedService(child, 'nats', portOpen(natsPort), options.supervision);
  try {
    await service.waitUntilReady(10_000);
  } catch (err) {
    await service.stop();
    throw err;
  }
  return { url, service, stop: () => service.stop() };
}
