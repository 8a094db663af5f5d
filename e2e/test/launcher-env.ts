import { stackServices } from '../src/services';
import { freePort } from '@ficus/testkit';

/** A free port for every service of the stack, keyed by service name; no two the same. */
export async function freeStackPorts(): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  const taken = new Set<number>();
  for (const spec of stackServices) {
    // Each probe's port is released before the next: the OS may hand the same one out again.
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    ports[spec.name] = port;
  }
  return ports;
}

/** The environment `npm start` gets in tests: SQLite under `dataDir`, the test's own NATS, these ports (`legacy-shop` as LEGACY_SHOP_PORT). */
export function launcherEnv(options: { dataDir: string; natsUrl: string; ports: Record<string, number> }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATA_DIR: options.dataDir,
    NATS_URL: options.natsUrl,
    POSTGRES_URL: '',
    ...Object.fromEntries(Object.entries(options.ports).map(([name, port]) => [`${name.toUpperCase().replaceAll('-', '_')}_PORT`, String(port)])),
  };
}
