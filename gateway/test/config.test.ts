import path from 'node:path';
import { ConfigError } from '@ficus/kit';
import { defaultJwksUrl, readGatewayConfig } from '../src';

describe('reading the gateway configuration', () => {
  it('has defaults that run the gateway beside the local subgraphs', () => {
    const config = readGatewayConfig({});

    expect(config).toEqual({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 4000,
      reusePort: false,
      logLevel: 'info',
      supergraph: { kind: 'config', path: path.resolve('supergraph.yaml') },
      tokenKeys: { kind: 'jwks', url: defaultJwksUrl },
      jwtIssuer: 'ficus-users',
      jwtAudience: 'ficus',
      corsOrigins: [],
      bodyLimitBytes: 1_000_000,
      requestBodiesMaxBytes: 64_000_000,
      requestTimeoutMs: 30_000,
      subgraphTimeoutMs: 10_000,
      identitySigningSecret: null,
      usageReporting: null,
      subscriptions: { keepAliveMs: 12_000, maxPerConnection: 100, maxConnectionsPerClient: 50, maxPerClient: 200, httpHeartbeatMs: 5_000, queueCapacity: 1_000 },
      dataDir: path.resolve('.data'),
      introspection: true,
      safety: {
        lexical: { maxTokens: 15_000, maxRecursion: 500, settings: { maxTokens: 'PARSER_MAX_TOKENS', maxRecursion: 'PARSER_MAX_RECURSION' } },
        limits: { maxDepth: 12, maxHeight: 100, maxAliases: 30, maxRootFields: 20, maxDirectivesPerField: 5 },
        limitsMode: 'enforce',
        cost: { maxCost: 5_000, mode: 'enforce', defaultListSize: 10 },
      },
      rateLimit: { enabled: true, budgets: { windowMs: 60_000, requests: 1_200, cost: 200_000 }, redis: null, trustedProxies: [] },
      trustedDocuments: expect.objectContaining({ mode: 'off', apq: { enabled: true, maxBytes: 16_000_000 } }),
      subgraphResilience: expect.objectContaining({ retry: true }),
      engine: { name: 'ficus', deduplicate: true, overrideLabels: new Set(), planningTimeoutMs: 5_000, planCacheSize: 2_000 },
    });
    expect(defaultJwksUrl).toBe('http://127.0.0.1:4001/.well-known/jwks.json');
  });

  it('serves an already composed SUPERGRAPH_FILE and verifies with JWT_PUBLIC_KEY when given', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEA\\n-----END PUBLIC KEY-----';

    const config = readGatewayConfig({ SUPERGRAPH_FILE: 'supergraph.graphql', JWT_PUBLIC_KEY: pem });

    expect(config.supergraph).toEqual({ kind: 'file', path: path.resolve('supergraph.graphql') });
    expect(config.tokenKeys).toEqual({
      kind: 'public-key',
      pem: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----',
    });
  });

  it('signs identities with IDENTITY_SIGNING_SECRET, and refuses one too short to be safe', () => {
    const secret = 'x'.repeat(32);
    expect(readGatewayConfig({ IDENTITY_SIGNING_SECRET: secret }).identitySigningSecret).toBe(secret);
    expect(problemsOf({ IDENTITY_SIGNING_SECRET: 'short' })).toEqual(['IDENTITY_SIGNING_SECRET: must be at least 32 characters']);
  });

  it('turns introspection off in production unless INTROSPECTION=true', () => {
    expect(readGatewayConfig({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(readGatewayConfig({ NODE_ENV: 'production', INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(readGatewayConfig({ INTROSPECTION: 'false' }).introspection).toBe(false);
  });

  it('reports bad safety, rate limit, trusted document and breaker variables together with the others', () => {
    expect(problemsOf({ PORT: 'eighty', MAX_DEPTH: 'deep', RATE_LIMIT_REQUESTS: '-1', PERSISTED_QUERIES: 'sometimes', SUBGRAPH_BREAKER_FAILURES: 'x' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^PORT/), expect.stringMatching(/^MAX_DEPTH/), expect.stringMatching(/^RATE_LIMIT_REQUESTS/), expect.stringMatching(/^PERSISTED_QUERIES/), expect.stringMatching(/^SUBGRAPH_BREAKER_FAILURES/)]),
    );
  });

  it('names every bad variable in one error', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      NODE_ENV: 'staging',
      JWKS_URL: 'ftp://keys',
      JWT_PUBLIC_KEY: 'not a key',
      CORS_ORIGINS: 'https://ok.example,https://bad.example/path',
      SUBGRAPH_TIMEOUT_MS: '-1',
      HTTP_REQUEST_TIMEOUT_MS: '10',
      SUBSCRIPTION_CONNECTIONS_PER_CLIENT: '0',
      SUPERGRAPH_CONFIG: 'supergraph.yaml',
      SUPERGRAPH_FILE: 'supergraph.graphql',
    });

    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'NODE_ENV',
      'PORT',
      'JWKS_URL',
      'JWT_PUBLIC_KEY',
      'CORS_ORIGINS.1',
      'HTTP_REQUEST_TIMEOUT_MS',
      'SUBGRAPH_TIMEOUT_MS',
      'SUBSCRIPTION_CONNECTIONS_PER_CLIENT',
      'SUPERGRAPH_CONFIG, SUPERGRAPH_FILE',
      'JWKS_URL, JWT_PUBLIC_KEY',
    ]);
  });

  it('follows the registry with FICUS_REGISTRY_URL, caches under DATA_DIR and reports usage there', () => {
    const config = readGatewayConfig({
      FICUS_REGISTRY_URL: 'http://127.0.0.1:4100/',
      FICUS_API_KEY: 'ficus_key',
      DATA_DIR: '/var/lib/ficus',
      USAGE_REPORT_INTERVAL_MS: '1000',
    });

    const registry = { url: 'http://127.0.0.1:4100', apiKey: 'ficus_key', graphRef: 'shop@current' };
    expect(config.supergraph).toEqual({ kind: 'registry', registry, cacheFile: '/var/lib/ficus/supergraph-shop-current.graphql' });
    expect(config.usageReporting).toEqual({ registry, intervalMs: 1000, maxOperations: 1000 });
  });

  it('names what is wrong with the registry variables', () => {
    const problems = problemsOf({
      FICUS_REGISTRY_URL: 'http://127.0.0.1:4100',
      FICUS_GRAPH_REF: 'shop',
      SUPERGRAPH_FILE: 'supergraph.graphql',
    });

    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'FICUS_GRAPH_REF',
      'FICUS_REGISTRY_URL, SUPERGRAPH_FILE',
      'FICUS_API_KEY',
    ]);
  });
});

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    readGatewayConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
