import { ConfigError } from '@ficus/kit';
import { partEnv, readMonolithConfig } from '../src/config';

const base = { NATS_URL: 'nats://127.0.0.1:4222', SUPERGRAPH_CONFIG: 'supergraph.yaml', DATA_DIR: '/tmp/ficus-monolith-config-test' };

describe("the monolith's configuration", () => {
  it("gives each part its own prefixed variables over the shared ones, and the shared PORT to the gateway only", () => {
    const env = { PORT: '4000', LOG_LEVEL: 'warn', ORDERS__PORT: '4104', ORDERS__LOG_LEVEL: 'debug', GATEWAY__LOG_LEVEL: 'error' };
    expect(partEnv('orders', env)).toMatchObject({ PORT: '4104', LOG_LEVEL: 'debug' });
    expect(partEnv('users', env).PORT).toBeUndefined();
    expect(partEnv('users', env).LOG_LEVEL).toBe('warn');
    expect(partEnv('gateway', env)).toMatchObject({ PORT: '4000', LOG_LEVEL: 'error' });
  });

  it('serves every module unless FICUS_MONOLITH_MODULES names some, in the modules’ own start order', () => {
    expect(readMonolithConfig(base).modules.map((m) => m.name)).toEqual(['users', 'products', 'inventory', 'orders', 'payments', 'notifications']);
    const some = readMonolithConfig({ ...base, FICUS_MONOLITH_MODULES: 'payments, users' });
    expect(some.modules.map((m) => m.name)).toEqual(['users', 'payments']);
    expect(some.modules.map((m) => m.config.port)).toEqual([4001, 4005]);
  });

  it("takes the routing URL a module is published under, when it is not its own listener's, and refuses one that is not http(s)", () => {
    const config = readMonolithConfig({ ...base, FICUS_MONOLITH_MODULES: 'orders,users', ORDERS__ROUTING_URL: 'http://orders.shop.svc:4004/graphql' });
    expect(config.modules.map((m) => m.routingUrl)).toEqual([null, 'http://orders.shop.svc:4004/graphql']);
    expect(() => readMonolithConfig({ ...base, ORDERS__ROUTING_URL: 'ftp://orders/graphql' })).toThrow(/orders: ROUTING_URL/);
  });

  it('reports an unknown module and every bad variable of every part at once, each prefixed by its part', () => {
    const read = () => readMonolithConfig({ ...base, FICUS_MONOLITH_MODULES: 'orders,billing', ORDERS__PORT: 'not-a-port', GATEWAY__PORT: '99999' });
    expect(read).toThrow(ConfigError);
    try {
      read();
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems.some((p) => p.startsWith('FICUS_MONOLITH_MODULES: unknown module billing'))).toBe(true);
      expect(problems.some((p) => p.startsWith('gateway: PORT'))).toBe(true);
    }
    expect(() => readMonolithConfig({ ...base, FICUS_MONOLITH_MODULES: 'orders', ORDERS__PORT: 'not-a-port' })).toThrow(/orders: PORT/);
  });
});
