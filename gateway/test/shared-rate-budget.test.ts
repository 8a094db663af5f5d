import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitFor } from '@ficus/testkit';
import Redis from 'ioredis';
import { Gate, startAccountsSubgraph } from './harness/shop-subgraphs';
import { writeSupergraphConfig } from './harness/test-gateway';
import type { TestSubgraph } from './harness/test-subgraph';

const main = path.resolve(__dirname, '../dist/src/main.js');
const redisUrl = 'redis://127.0.0.1:6379';

let accounts: TestSubgraph;
let supergraph: { dir: string; config: string };
const gateways: ChildProcess[] = [];

async function startGatewayProcess(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', PORT: String(port), SUPERGRAPH_CONFIG: supergraph.config, ...env },
    stdio: 'ignore',
  });
  gateways.push(child);
  await waitFor(() => fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false), { what: 'a gateway process to be ready' });
  return `http://127.0.0.1:${port}/graphql`;
}

beforeAll(async () => {
  accounts = await startAccountsSubgraph(new Gate());
  supergraph = writeSupergraphConfig([accounts]);
});

afterAll(async () => {
  for (const child of gateways) child.kill('SIGKILL');
  await accounts?.stop();
  fs.rmSync(supergraph.dir, { recursive: true, force: true });
});

describe('two gateway processes sharing Redis', () => {
  it('enforce one rate budget per client: the 429s across both add up to what is over it', async () => {
    const prefix = `ficus:test:${randomUUID()}:`;
    // A budget of 10 per day: nothing refills while the test runs, so exactly 10 pass.
    const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_REQUESTS: '10', RATE_LIMIT_WINDOW_MS: '86400000' };
    const urls = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
    const redis = new Redis(redisUrl);
    try {
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          fetch(urls[i % 2]!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ user(id: "u1") { name } }' }) }),
        ),
      );
      const refused = responses.filter((r) => r.status === 429);
      const served = responses.filter((r) => r.status === 200);
      expect({ served: served.length, refused: refused.length }).toEqual({ served: 10, refused: 20 });
      // Both processes refused some: the budget is one, not one per process.
      expect(new Set(responses.map((r, i) => (r.status === 429 ? i % 2 : -1)).filter((g) => g >= 0))).toEqual(new Set([0, 1]));
      const body = (await refused[0]!.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('REQUEST_RATE_LIMITED');
      expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
