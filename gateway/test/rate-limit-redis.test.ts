import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Writable } from 'node:stream';
import { freePort, waitFor } from '@ficus/testkit';
import Redis from 'ioredis';
import pino from 'pino';
import { RateBudgets, RateDecision } from '../src/rate-limit';
import { RedisRateLimiter } from '../src/rate-limit/redis-rate-limiter';

const redisUrl = 'redis://127.0.0.1:6379';

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

const opened: RedisRateLimiter[] = [];
const prefixes: string[] = [];

function limiter(options: { url?: string; budgets: RateBudgets; prefix?: string; commandTimeoutMs?: number; logger?: pino.Logger; observe?: (outcome: string) => void }) {
  const prefix = options.prefix ?? newPrefix();
  const made = new RedisRateLimiter({
    url: options.url ?? redisUrl,
    keyPrefix: prefix,
    budgets: options.budgets,
    commandTimeoutMs: options.commandTimeoutMs ?? 1_000,
    logger: options.logger ?? capturingLogger().logger,
    observe: options.observe,
  });
  opened.push(made);
  return made;
}

function newPrefix(): string {
  const prefix = `ficus-test:rate:${randomBytes(6).toString('hex')}:`;
  prefixes.push(prefix);
  return prefix;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((made) => made.close()));
  const redis = new Redis(redisUrl);
  for (const prefix of prefixes.splice(0)) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

describe('rate budgets shared through Redis', () => {
  it('lets exactly the budget through when two gateways spend one client budget at once', async () => {
    const prefix = newPrefix();
    const budgets = { windowMs: 60_000, requests: 25, cost: 10_000 };
    // Two limiters, two connections: two gateway processes sharing one Redis.
    const [a, b] = [limiter({ budgets, prefix }), limiter({ budgets, prefix })];
    await Promise.all([a.connect(5_000), b.connect(5_000)]);
    const calls: Promise<RateDecision>[] = [];
    for (let i = 0; i < 100; i++) calls.push((i % 2 ? a : b).consume('user:shared', 1));
    const decisions = await Promise.all(calls);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
    expect(decisions.filter((d) => !d.allowed && d.budget === 'requests')).toHaveLength(75);
  });

  it('lets exactly the cost budget through across two gateways, refused operations spending nothing', async () => {
    const prefix = newPrefix();
    const budgets = { windowMs: 60_000, requests: 1_000, cost: 500 };
    const [a, b] = [limiter({ budgets, prefix }), limiter({ budgets, prefix })];
    await Promise.all([a.connect(5_000), b.connect(5_000)]);
    const decisions = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).consume('ip:9.9.9.9', 20)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
    const redis = new Redis(redisUrl);
    const stored = await redis.hgetall(`${prefix}ip:9.9.9.9`);
    redis.disconnect();
    // 25 × 20 units were spent: the cost budget's TAT is a full window ahead.
    expect(Object.keys(stored).sort()).toEqual(['c', 'r']);
  });

  it('keeps budgets under different key prefixes apart', async () => {
    const budgets = { windowMs: 60_000, requests: 1, cost: 10 };
    const [a, b] = [limiter({ budgets }), limiter({ budgets })];
    await Promise.all([a.connect(5_000), b.connect(5_000)]);
    expect((await a.consume('ip:1.2.3.4', 1)).allowed).toBe(true);
    expect((await b.consume('ip:1.2.3.4', 1)).allowed).toBe(true);
    expect((await a.consume('ip:1.2.3.4', 1)).allowed).toBe(false);
  });

  it('lets a client key expire once its budget is full again', async () => {
    const prefix = newPrefix();
    const made = limiter({ budgets: { windowMs: 60_000, requests: 10, cost: 100 }, prefix });
    await made.connect(5_000);
    await made.consume('ip:8.8.8.8', 50);
    const redis = new Redis(redisUrl);
    const ttl = await redis.pttl(`${prefix}ip:8.8.8.8`);
    redis.disconnect();
    // 50 of 100 cost units refill in 30 s, the request in 6 s: the key lives until the later.
    expect(ttl).toBeGreaterThan(29_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });
});

describe('an unreachable Redis', () => {
  const budgets = { windowMs: 60_000, requests: 1, cost: 10 };

  it('with nothing listening, lets operations through at once, unchecked, logging one warning', async () => {
    const port = await freePort();
    const { logger, lines } = capturingLogger();
    const outcomes: string[] = [];
    const made = limiter({ url: `redis://127.0.0.1:${port}`, budgets, logger, observe: (outcome) => outcomes.push(outcome) });
    const started = Date.now();
    await made.connect(300);
    const decisions = await Promise.all(Array.from({ length: 5 }, () => made.consume('ip:1.1.1.1', 1)));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(decisions).toEqual(Array(5).fill({ allowed: true, checked: false }));
    expect(outcomes).toEqual(Array(5).fill('unavailable'));
    expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
    expect(lines[0]!.msg).toMatch(/rate limit store unreachable: operations are let through unchecked/);
  });

  it('that accepts connections but never answers costs an operation at most the command timeout', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const made = limiter({ url: `redis://127.0.0.1:${port}`, budgets, commandTimeoutMs: 150 });
      await made.connect(300);
      const started = Date.now();
      expect(await made.consume('ip:1.1.1.1', 1)).toEqual({ allowed: true, checked: false });
      expect(Date.now() - started).toBeLessThan(1_000);
      await made.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('enforces budgets again once Redis answers', async () => {
    const port = await freePort();
    const { logger, lines } = capturingLogger();
    const prefix = newPrefix();
    // A TCP relay to the real Redis that starts on that port only later: Redis "comes back".
    const made = limiter({ url: `redis://127.0.0.1:${port}`, budgets, logger, prefix });
    await made.connect(200);
    expect(await made.consume('ip:1.1.1.1', 1)).toEqual({ allowed: true, checked: false });
    const relay = net.createServer((client) => {
      const upstream = net.connect(6379, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
    try {
      // ioredis reconnects with backoff; the first checked decision spends the one request.
      await waitFor(async () => {
        const decision = await made.consume('ip:1.1.1.1', 1);
        return decision.allowed && decision.checked;
      }, { timeoutMs: 15_000, what: 'a decision checked against Redis' });
      expect(await made.consume('ip:1.1.1.1', 1)).toMatchObject({ allowed: false, budget: 'requests' });
      expect(lines.map((line) => line.msg)).toEqual([
        expect.stringMatching(/unreachable/),
        expect.stringMatching(/reachable again: budgets are enforced/),
      ]);
    } finally {
      await made.close();
      await new Promise((resolve) => relay.close(resolve));
    }
  });
});
