import path from 'node:path';
import { ConfigError } from '@ficus/kit';
import { readLauncherConfig } from './launcher-config';
import { formatLogLine, formatSupervisionEvent } from './log-format';
import { NatsUnavailableError } from './nats';
import { readySummary } from './ready-summary';
import { defaultRestartPolicy } from './restart-policy';
import { seedDemoCatalog } from './seed';
import { RunningStack, startStack } from './stack';
import { startModeOf, StartUsageError } from './start-args';
import { SupervisionEvent } from './supervision-events';

const devAdmin = { email: 'admin@example.com', password: 'admin' };

/** `npm start`: the whole stack on this machine, demo data seeded, stopped by Ctrl-C. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  const config = readLauncherConfig();
  const mode = startModeOf(process.argv.slice(2), config);
  const production = config.NODE_ENV === 'production';
  const dataDir = path.resolve(config.DATA_DIR);
  const print = (line: string) => process.stdout.write(`${line}\n`);

  let stack: RunningStack | undefined;
  let stopping = false;
  let stackMustStop = false;
  const givenUp: string[] = [];
  const shutdown = (exitCode: number) => {
    if (stopping || !stack) return;
    stopping = true;
    print('\nstopping Ficus…');
    stack.stop().then(
      () => {
        print(`stopped: nothing left running${givenUp.length > 0 ? ` (given up on before: ${givenUp.join(', ')})` : ''}`);
        process.exit(exitCode);
      },
      (err) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  // A crashed service is restarted and said so; one given up on is said loudly, and the
  // gateway's loss stops everything with exit 1 rather than leave a stack nothing can reach.
  const onSupervisionEvent = (event: SupervisionEvent) => {
    print(formatSupervisionEvent(event));
    if (event.kind !== 'gave-up') return;
    givenUp.push(event.service);
    if (event.consequence === 'stack-stops') {
      stackMustStop = true;
      shutdown(1);
    }
  };

  stack = await startStack({
    dataDir,
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
      'legacy-shop': config.LEGACY_SHOP_PORT,
      registry: config.REGISTRY_PORT,
    },
    devAdmin: production ? undefined : devAdmin,
    onLog: (service, line) => print(formatLogLine(service, line)),
    supervision: { policy: defaultRestartPolicy, onEvent: onSupervisionEvent },
    ...mode,
  });
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  if (stackMustStop) return shutdown(1);

  let seeded = 0;
  try {
    if (!production) seeded = await seedDemoCatalog(stack.gatewayUrl, devAdmin);
  } catch (err) {
    if (stopping) return;
    process.stderr.write(`ficus: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    return shutdown(1);
  }
  if (stopping) return;
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  const summary = readySummary(stack, { seconds, dataDir, devAdmin: production ? undefined : devAdmin, seeded });
  print(summary.join('\n'));
}

main().catch((err) => {
  if (err instanceof StartUsageError) {
    process.stderr.write(`ficus: ${err.message}\n`);
    process.exit(64);
  }
  if (err instanceof ConfigError || err instanceof NatsUnavailableError) process.stderr.write(`ficus: ${err.message}\n`);
  else process.stderr.write(`ficus: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
