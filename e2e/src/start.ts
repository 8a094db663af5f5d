import path from 'node:path';
import { z } from 'zod';
import { ConfigError, env, parseEnv } from '@ficus/kit';
import { formatLogLine } from './log-format';
import { NatsUnavailableError } from './nats';
import { repoRoot } from './repo';
import { seedDemoCatalog } from './seed';
import { startStack } from './stack';

const devAdmin = { email: 'admin@example.com', password: 'admin' };

/** `npm start`: the whole stack on this machine, demo data seeded, stopped by Ctrl-C. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = parseEnv(
    {
      NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
      LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      DATA_DIR: z.string().default(path.join(repoRoot(), '.data')),
      NATS_URL: z.string().optional(),
      POSTGRES_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
      GATEWAY_PORT: env.port(4000),
      USERS_PORT: env.port(4001),
      PRODUCTS_PORT: env.port(4002),
      INVENTORY_PORT: env.port(4003),
      ORDERS_PORT: env.port(4004),
      PAYMENTS_PORT: env.port(4005),
      NOTIFICATIONS_PORT: env.port(4006),
      REGISTRY_PORT: env.port(4100),
    },
    process.env,
  );
  const production = config.NODE_ENV === 'production';
  const stack = await startStack({
    dataDir: path.resolve(config.DATA_DIR),
    natsUrl: config.NATS_URL,
    nodeEnv: config.NODE_ENV,
    logLevel: config.LOG_LEVEL,
    postgresUrl: config.POSTGRES_URL,
    ports: {
      gateway: config.GATEWAY_PORT,
      users: config.USERS_PORT,
      products: config.PRODUCTS_PORT,
      inventory: config.INVENTORY_PORT,
      orders: config.ORDERS_PORT,
      payments: config.PAYMENTS_PORT,
      notifications: config.NOTIFICATIONS_PORT,
      registry: config.REGISTRY_PORT,
    },
    devAdmin: production ? undefined : devAdmin,
    onLog: (service, line) => process.stdout.write(`${formatLogLine(service, line)}\n`),
  });

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping Ficus…\n');
    stack.stop().then(
      () => {
        process.stdout.write('stopped: nothing left running\n');
        process.exit(0);
      },
      (err) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  const seeded = production ? 0 : await seedDemoCatalog(stack.gatewayUrl, devAdmin);
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const lines = [
    '',
    `Ficus is ready (${seconds} s).`,
    `  gateway      ${stack.gatewayUrl}   (open it in a browser for Apollo Sandbox)`,
    ...Object.entries(stack.urls)
      .filter(([name]) => name !== 'gateway')
      .map(([name, url]) => `  ${name.padEnd(12)} ${url}`),
    `  supergraph   ${stack.registry.graphRef} from the registry; the gateway reloads each publish`,
    `  nats         ${stack.nats.url}${stack.nats.stop ? ' (started by Ficus)' : ''}`,
    production
      ? '  production mode: no development admin, no demo data'
      : `  admin        ${devAdmin.email} / ${devAdmin.password}   (development only)`,
    production ? '' : `  demo data    ${seeded} products created`,
    'Press Ctrl-C to stop everything.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof NatsUnavailableError) process.stderr.write(`ficus: ${err.message}\n`);
  else process.stderr.write(`ficus: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
