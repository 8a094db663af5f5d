import { ConfigError, readSubgraphConfig, resolveDatabaseTarget } from '../src';

describe('subgraph configuration', () => {
  it('reports every bad variable in one error', () => {
    expect(() =>
      readSubgraphConfig('products', 4002, { PORT: '99999', NATS_URL: 'http://nats', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' }),
    ).toThrow(ConfigError);
    try {
      readSubgraphConfig('products', 4002, { PORT: '99999', NATS_URL: 'http://nats', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (err) {
      const problems = (err as ConfigError).problems.map((p) => p.split(':')[0]);
      expect(problems.sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'NATS_URL', 'PORT']);
    }
  });

  it('honours identities unsigned unless IDENTITY_SIGNING_SECRET is set, and refuses one too short', () => {
    expect(readSubgraphConfig('orders', 4004, {}).identitySigningSecret).toBeNull();
    expect(readSubgraphConfig('orders', 4004, { IDENTITY_SIGNING_SECRET: 'y'.repeat(40) }).identitySigningSecret).toBe('y'.repeat(40));
    expect(() => readSubgraphConfig('orders', 4004, { IDENTITY_SIGNING_SECRET: 'short' })).toThrow(/IDENTITY_SIGNING_SECRET: must be at least 32 characters/);
  });

  it('defaults to a SQLite file per subgraph under the data directory', () => {
    const config = readSubgraphConfig('inventory', 4003, { DATA_DIR: '/tmp/ficus-data' });
    expect(config).toMatchObject({ port: 4003, host: '127.0.0.1', natsUrl: 'nats://127.0.0.1:4222' });
    expect(config.database).toEqual({ kind: 'sqlite', path: '/tmp/ficus-data/inventory.sqlite' });
  });

  it('derives a database per subgraph from POSTGRES_URL, and DATABASE_URL wins over it', () => {
    const derived = resolveDatabaseTarget({ serviceName: 'users', postgresUrl: 'postgres://pg@db:5432/postgres', dataDir: '/d' });
    expect(derived).toEqual({ kind: 'postgres', url: 'postgres://pg@db:5432/ficus_users' });
    // A database name holds only letters, digits and _.
    expect(resolveDatabaseTarget({ serviceName: 'legacy-shop', postgresUrl: 'postgres://pg@db:5432/postgres', dataDir: '/d' })).toEqual({
      kind: 'postgres',
      url: 'postgres://pg@db:5432/ficus_legacy_shop',
    });
    const explicit = resolveDatabaseTarget({
      serviceName: 'users',
      databaseUrl: 'postgres://pg@db:5432/accounts',
      postgresUrl: 'postgres://pg@db:5432/postgres',
      dataDir: '/d',
    });
    expect(explicit).toEqual({ kind: 'postgres', url: 'postgres://pg@db:5432/accounts' });
    expect(resolveDatabaseTarget({ serviceName: 'users', databaseUrl: 'file:/tmp/u.db', dataDir: '/d' })).toEqual({
      kind: 'sqlite',
      path: '/tmp/u.db',
    });
  });
});
