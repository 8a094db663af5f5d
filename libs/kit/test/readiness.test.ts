import { createTestDatabase, startTestNatsServer, TestDatabase, TestNatsServer, waitFor } from '@ficus/testkit';
import express from 'express';
import { parse } from 'graphql';
import type { AddressInfo } from 'node:net';
import { healthRoutes, HealthCheck, readSubgraphConfig, startSubgraph, SubgraphHandle } from '../src';

interface Readiness {
  status: number;
  body: { status: string; checks: Record<string, string> };
}

const readiness = async (base: string): Promise<Readiness> => {
  const res = await fetch(new URL('/ready', base));
  return { status: res.status, body: (await res.json()) as Readiness['body'] };
};

describe('/ready', () => {
  const serve = async (checks: HealthCheck[], draining = false) => {
    const app = express();
    healthRoutes(app, checks, () => draining);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
  };

  it('is 200 degraded when only a check that is not required is down, 503 when a required one is', async () => {
    const database = { name: 'database', check: () => true };
    const events = { name: 'events', check: () => false, required: false };
    const degraded = await serve([database, events]);
    const unavailable = await serve([{ ...database, check: () => Promise.reject(new Error('gone')) }, events]);
    const draining = await serve([database], true);
    try {
      expect(await readiness(degraded.base)).toEqual({ status: 200, body: { status: 'degraded', checks: { database: 'up', events: 'down' } } });
      expect(await readiness(unavailable.base)).toEqual({
        status: 503,
        body: { status: 'unavailable', checks: { database: 'down', events: 'down' } },
      });
      expect(await readiness(draining.base)).toEqual({ status: 503, body: { status: 'draining', checks: { database: 'up' } } });
    } finally {
      await Promise.all([degraded.close(), unavailable.close(), draining.close()]);
    }
  });
});

describe('a subgraph whose NATS goes away', () => {
  let nats: TestNatsServer;
  let db: TestDatabase;
  let subgraph: SubgraphHandle;

  beforeAll(async () => {
    nats = await startTestNatsServer();
    db = await createTestDatabase('sqlite', 'readiness');
    const config = { ...readSubgraphConfig('readiness', 0, { NATS_URL: nats.url, LOG_LEVEL: 'silent' }), database: db.target };
    subgraph = await startSubgraph(config, {
      typeDefs: parse('type Query { ping: String! }'),
      resolvers: { Query: { ping: () => 'pong' } },
      entities: [],
      migrations: [],
      publishesEvents: true,
      context: (base) => base,
    });
  });

  afterAll(async () => {
    await subgraph?.stop();
    await db?.drop();
    await nats?.dispose();
  });

  it('stays ready, degraded with NATS down, while it is away (the outbox keeps writes), and is fully ready once it is back', async () => {
    expect(await readiness(subgraph.url)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'up', nats: 'up' } } });

    await nats.stop();
    const away = await waitFor(
      async () => {
        const now = await readiness(subgraph.url);
        return now.body.checks.nats === 'down' ? now : null;
      },
      { what: 'the NATS check to go down', timeoutMs: 10_000 },
    );
    expect(away).toEqual({ status: 200, body: { status: 'degraded', checks: { database: 'up', nats: 'down' } } });

    await nats.start();
    await waitFor(async () => (await readiness(subgraph.url)).body.status === 'ready', { what: 'NATS back', timeoutMs: 20_000 });
    expect(await readiness(subgraph.url)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'up', nats: 'up' } } });
  });
});
