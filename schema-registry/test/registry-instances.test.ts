import { build, readRegistryConfig, RegistryHandle } from '../src';
import { publish, repoSchema, startTestRegistry, TestRegistry } from './registry-harness';

// Two registry processes behind one Service, on one PostgreSQL database: a gateway's long-poll
// may land on one while the CI publish lands on the other.
describe('two registry instances on one PostgreSQL database', () => {
  let a: TestRegistry;
  let b: RegistryHandle;

  beforeAll(async () => {
    a = await startTestRegistry('postgres', 'instances');
    b = await build({ ...readRegistryConfig({ LOG_LEVEL: 'warn', PORT: '0' }), database: a.db.target, longPollMaxSeconds: 20 });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const fetchSupergraph = (registry: RegistryHandle, ref: string, query = '') =>
    fetch(`${registry.baseUrl}/api/supergraph/${ref}${query}`, { headers: { authorization: `Bearer ${a.keys.read}` } });

  it("answer a long-poll on one promptly after a publish to the other, long before the poll's own re-read", async () => {
    await publish(a, 'shop@instances', 'products', repoSchema('products'));
    const { id } = (await (await fetchSupergraph(b, 'shop@instances')).json()) as { id: string };
    const poll = fetchSupergraph(b, 'shop@instances', `?after=${id}&wait=20`).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as { id: string },
      at: Date.now(),
    }));
    // The poll is waiting by now, unless the machine is very slow: then its first read sees the publish, which is as good.
    await fetchSupergraph(b, 'shop@instances', `?after=${id}&wait=0`);

    const published = await publish(a, 'shop@instances', 'inventory', repoSchema('inventory'));
    const publishedAt = Date.now();
    const answer = await poll;

    expect(answer.status).toBe(200);
    expect(answer.body.id).toBe(published.supergraph.id);
    // B re-reads the database every 15 s on PostgreSQL: only the notification answers sooner.
    expect(answer.at - publishedAt).toBeLessThan(5_000);
  });

  it('keep answering long-polls after one instance stops', async () => {
    const c = await build({ ...readRegistryConfig({ LOG_LEVEL: 'warn', PORT: '0' }), database: a.db.target, longPollMaxSeconds: 20 });
    await c.stop();
    const { id } = (await (await fetchSupergraph(b, 'shop@instances')).json()) as { id: string };
    const poll = fetchSupergraph(b, 'shop@instances', `?after=${id}&wait=20`);

    const published = await publish(a, 'shop@instances', 'users', repoSchema('users'));
    const res = await poll;

    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(published.supergraph.id);
  });
});
