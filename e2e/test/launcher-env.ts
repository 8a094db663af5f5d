import { stackServices } from '../src/services';
import { freePort } from '@ficus/testkit';

/** A free port for every service of the stack, keyed by service name. */
export async function freeStackPorts(): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const spec of stackServices) ports[spec.name] = await freePort();
  return ports;
}

/** The environment `npm start` gets in tests: SQLite under `dataDir`, the test's own NATS, these ports. */
export function launcherEnv(options: { dataDir: string; natsUrl: string; ports: Record<string, number> }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATA_DIR: options.dataDir,
    NATS_URL: options.natsUrl,
    POSTGRES_URL: '',
    ...Object.fromEntries(Object.entries(options.ports).map(([name, port]) => [`${name.toUpperCase()}_PORT`, String(port)])),
  };
}
