import { freePort } from '@ficus/testkit';
import { parse } from 'graphql';
import pino from 'pino';
import { ConfigError, GraphQLHttpServer, nodeSupportsReusePort, parseEnv, readSubgraphConfig, reusePortEnv, ServiceMetrics, startGraphQLHttpServer } from '../src';

const logger = pino({ level: 'silent' });

describe('REUSE_PORT', () => {
  it('is supported from Node 22.12 on the 22 line and 23.1 after it, and not before', () => {
    const supported = ['20.20.2', '22.11.0', '22.12.0', '23.0.0', '23.1.0', '24.0.0'].filter((version) => nodeSupportsReusePort(version));
    expect(supported).toEqual(['22.12.0', '23.1.0', '24.0.0']);
  });

  it('is refused at start on an older Node with a message naming the Node it needs, rather than ignored', () => {
    const read = () => parseEnv({ REUSE_PORT: reusePortEnv('22.11.0') }, { REUSE_PORT: 'true' });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow('REUSE_PORT: needs Node 22.12 or later (SO_REUSEPORT in server.listen); this is Node 22.11.0');
    expect(parseEnv({ REUSE_PORT: reusePortEnv('22.11.0') }, {})).toEqual({ REUSE_PORT: false });
    expect(parseEnv({ REUSE_PORT: reusePortEnv('24.0.0') }, { REUSE_PORT: 'true' })).toEqual({ REUSE_PORT: true });
  });

  it('lets two instances serve on one port on this Node, or refuses the setting if this Node cannot', async () => {
    if (!nodeSupportsReusePort()) {
      expect(() => readSubgraphConfig('users', 4001, { REUSE_PORT: 'true' })).toThrow(`this is Node ${process.versions.node}`);
      return;
    }
    const port = await freePort();
    const servers: GraphQLHttpServer[] = [];
    try {
      for (const name of ['a', 'b']) {
        servers.push(
          await startGraphQLHttpServer({
            typeDefs: parse('type Query { instance: String }'),
            resolvers: { Query: { instance: () => name } },
            logger,
            host: '127.0.0.1',
            port,
            reusePort: readSubgraphConfig('users', port, { REUSE_PORT: 'true' }).reusePort,
            bodyLimitBytes: 10_000,
            checks: [],
            metrics: new ServiceMetrics(`reuse_port_${name}`),
            context: () => ({ logger }),
          }),
        );
      }
      expect(servers.map((server) => server.port)).toEqual([port, port]);
    } finally {
      for (const server of servers) await server.stop();
    }
  });
});
