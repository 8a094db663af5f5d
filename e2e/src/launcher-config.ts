import path from 'node:path';
import { z } from 'zod';
import { env, parseEnv } from '@ficus/kit';
import { repoRoot } from './repo';

/** The variables `npm start` and `npm run migrate` read, every bad one reported at once. */
export function readLauncherConfig(processEnv: NodeJS.ProcessEnv = process.env) {
  return parseEnv(
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
      LEGACY_SHOP_PORT: env.port(4007),
      REGISTRY_PORT: env.port(4100),
      // `--monolith` and `--extract` on the command line say the same.
      FICUS_MODE: z.enum(['services', 'monolith']).default('services'),
      FICUS_MONOLITH_EXTRACT: z
        .string()
        .regex(/^[a-z-]+(,[a-z-]+)*$/, 'must be module names separated by commas, e.g. orders or orders,payments')
        .optional(),
    },
    processEnv,
  );
}
