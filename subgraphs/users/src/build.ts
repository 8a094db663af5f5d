import { createLogger, loadSchemaFile, startSubgraph, SubgraphHandle } from '@ficus/kit';
import { createJwtIssuer } from './auth/jwt-issuer';
import { jwksRoute } from './auth/jwks-route';
import { loadSigningKey } from './auth/signing-key';
import type { UsersConfig } from './config';
import type { UsersContext } from './context';
import { migrations } from './db/migrations';
import { ensureAdmin } from './domain/ensure-admin';
import { SignInThrottle } from './domain/sign-in-throttle';
import { User } from './domain/user';
import { createLoaders } from './graphql/loaders';
import { resolvers } from './graphql/resolvers';

/** Wires the users subgraph; `config.port` 0 picks a free port. */
export async function build(config: UsersConfig): Promise<SubgraphHandle> {
  const logger = createLogger(config.serviceName, config.logLevel);
  const key = await loadSigningKey(config, logger);
  const tokens = createJwtIssuer(key, config.tokenTtlSeconds);
  const signInThrottle = new SignInThrottle(config.signInLimits);
  return startSubgraph<UsersContext>(
    config,
    {
      typeDefs: loadSchemaFile(__dirname),
      resolvers,
      entities: [User],
      migrations,
      publishesEvents: true,
      context: (base) => ({ ...base, loaders: createLoaders(base.em), tokens, signInThrottle }),
      routes: jwksRoute(key),
      prepare: async ({ orm, logger: log }) => {
        if (!config.devAdmin) return;
        await ensureAdmin(orm.em.fork(), { ...config.devAdmin, name: 'Development admin' });
        log.warn({ email: config.devAdmin.email }, 'development admin account is enabled');
      },
    },
    { logger },
  );
}
