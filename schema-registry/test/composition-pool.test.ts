import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import v8 from 'node:v8';
import { DomainError } from '@ficus/kit';
import { composeSubgraphs, SubgraphCache } from '../src/compose';
import { CompositionPool } from '../src/composition/composition-pool';
import { CompositionWork } from '../src/composition/composition-work';
import { FairQueue } from '../src/composition/fair-queue';
import type { SubgraphSource } from '../src/supergraph-config';
import { generatedGraph } from './generated-graph';

const sources = (graph: { name: string; sdl: string }[]): SubgraphSource[] =>
  graph.map((s) => ({ ...s, routingUrl: `http://127.0.0.1:4999/${s.name}`, origin: s.name }));

describe('the fair queue', () => {
  it('serves lanes in turn and each lane in order, so a burst from one caller does not starve another', () => {
    const queue = new FairQueue<string>(10);
    for (const item of ['a1', 'a2', 'a3']) queue.push('a', item);
    queue.push('b', 'b1');
    queue.push('c', 'c1');
    queue.push('b', 'b2');
    const served = Array.from({ length: 6 }, () => queue.shift());
    expect(served).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(queue.shift()).toBeUndefined();
    expect(queue.length).toBe(0);
  });

  it('refuses an item once it holds its capacity, and takes one again after an item is served', () => {
    const queue = new FairQueue<number>(2);
    expect(queue.push('a', 1)).toBeNull();
    expect(queue.push('b', 2)).toBeNull();
    expect(queue.push('c', 3)).toBe('queue-full');
    expect(queue.length).toBe(2);
    queue.shift();
    expect(queue.push('c', 3)).toBeNull();
  });

  it('refuses an item past its lane\'s share while other lanes still get in', () => {
    const queue = new FairQueue<string>(4, 2);
    expect(queue.push('a', 'a1')).toBeNull();
    expect(queue.push('a', 'a2')).toBeNull();
    expect(queue.push('a', 'a3')).toBe('lane-full');
    expect(queue.push('b', 'b1')).toBeNull();
    expect(queue.push('b', 'b2')).toBeNull();
    expect(queue.push('c', 'c1')).toBe('queue-full');
    expect(queue.length).toBe(4);
  });

  it('takes out an item whose requester has gone, and only while it is still queued', () => {
    const queue = new FairQueue<string>(4);
    queue.push('a', 'a1');
    queue.push('a', 'a2');
    queue.push('b', 'b1');
    expect(queue.remove('a', 'a1')).toBe(true);
    expect(queue.remove('a', 'a1')).toBe(false);
    expect(queue.length).toBe(2);
    expect(queue.shift()).toBe('a2');
    expect(queue.remove('a', 'a2')).toBe(false);
    expect([queue.shift(), queue.length]).toEqual(['b1', 0]);
  });

  it('queues work that continues admitted work first in its lane, past both limits', () => {
    const queue = new FairQueue<string>(2, 1);
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    queue.pushFirst('b', 'b0');
    expect(queue.length).toBe(3);
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual(['a1', 'b0', 'b1']);
  });
});

describe('composition with cached subgraphs', () => {
  it('gives the same supergraph and hints as a composition from scratch, before and after a subgraph changes', () => {
    const graph = sources(generatedGraph(4, 10));
    const cache = new SubgraphCache();
    expect(composeSubgraphs(graph, cache)).toEqual(composeSubgraphs(graph));
    expect(cache.size).toBe(4);

    const changed = graph.map((s) => (s.name === 'sg01' ? { ...s, sdl: s.sdl.replace('  f1_1: String\n', '  f1_1: String\n  f1_2: Int\n') } : s));
    const fromCache = composeSubgraphs(changed, cache);
    expect(fromCache).toEqual(composeSubgraphs(changed));
    expect(fromCache.ok && fromCache.supergraphSdl).toContain('f1_2: Int');
    expect(cache.size).toBe(5);
  });

  it('keeps a cached subgraph without the lexer tokens of its SDL, and its error locations still right', () => {
    const graph = sources(generatedGraph(2, 4));
    const cache = new SubgraphCache();
    composeSubgraphs(graph, cache);
    const loc = cache.take(graph[0]!)!.schema.types().find((t) => t.sourceAST)!.sourceAST!.loc!;
    expect(loc.source.name).toBe(graph[0]!.name);
    expect(loc.startToken).toBeUndefined();
    expect(loc.endToken).toBeUndefined();

    // sg00 owns E0.f0_0; sg01 resolving it too, without @shareable, is an error at both fields.
    const clashing = graph.map((s) => (s.name === 'sg01' ? { ...s, sdl: `${s.sdl}\nextend type E0 {\n  f0_0: Int\n}\n` } : s));
    const outcome = composeSubgraphs(clashing, cache);
    // E0 comes first in sg00's SDL; sg01's extension is its last lines.
    const lines = clashing.map((s) => s.sdl.split('\n'));
    expect(!outcome.ok && outcome.errors.flatMap((e) => e.locations)).toEqual(
      expect.arrayContaining([
        { subgraph: 'sg00', line: lines[0]!.indexOf('  f0_0: Int') + 1, column: 3 },
        { subgraph: 'sg01', line: lines[1]!.lastIndexOf('  f0_0: Int') + 1, column: 3 },
      ]),
    );
  });

  it('lets go of a subgraph version that four compositions in a row did not use', () => {
    const graph = sources(generatedGraph(4, 10));
    const cache = new SubgraphCache(4);
    composeSubgraphs(graph, cache);
    const changed = graph.map((s) => (s.name === 'sg01' ? { ...s, sdl: s.sdl.replace('  f1_1: String\n', '  f1_1: String\n  f1_2: Int\n') } : s));
    for (let i = 0; i < 4; i++) composeSubgraphs(changed, cache);
    expect(cache.size).toBe(5);
    composeSubgraphs(changed, cache);
    expect(cache.size).toBe(4);
    // The version dropped is the one no longer composed: the current one is still taken from the cache.
    expect(cache.take(changed.find((s) => s.name === 'sg01')!)).toBeDefined();
    expect(cache.take(graph.find((s) => s.name === 'sg01')!)).toBeUndefined();
  });

  it('reports the same composition errors with cached subgraphs as without, and caches nothing of a failed composition', () => {
    const graph = sources(generatedGraph(4, 10));
    const cache = new SubgraphCache();
    composeSubgraphs(graph, cache);
    const clash = graph.map((s) => (s.name === 'sg02' ? { ...s, sdl: s.sdl.replace('name: String @shareable', 'name: Int @shareable') } : s));
    const cached = composeSubgraphs(clash, cache);
    expect(cached.ok).toBe(false);
    expect(cached).toEqual(composeSubgraphs(clash));
    expect(!cached.ok && cached.errors.map((e) => e.code)).toEqual(['FIELD_TYPE_MISMATCH']);
    expect(cache.size).toBe(4);
  });

  it('composes a new supergraph once a published subgraph changes, and the cached one while it does not', async () => {
    const work = new CompositionWork();
    const graph = sources(generatedGraph(3, 8));
    const first = await work.run({ kind: 'compose', subgraphs: graph });
    expect(await work.run({ kind: 'compose', subgraphs: graph })).toBe(first);
    const changed = graph.map((s) => (s.name === 'sg00' ? { ...s, sdl: s.sdl.replaceAll('  f0_1: String\n', '') } : s));
    const second = await work.run({ kind: 'compose', subgraphs: changed });
    expect(second).not.toBe(first);
    expect(second.ok && second.supergraphSdl).not.toContain('f0_1');
    expect(second).toEqual(composeSubgraphs(changed));
  });
});

/** A worker that has composed (published) the small generated graph, and that graph. */
async function publishedGraph() {
  const work = new CompositionWork();
  const graph = sources(generatedGraph(3, 8));
  const published = await work.run({ kind: 'compose', subgraphs: graph });
  if (!published.ok) throw new Error('the generated graph does not compose');
  return { work, graph, published };
}

/** The graph with `field` added to sg00's first entity (E0). */
const withField = (graph: ReturnType<typeof sources>, field: string) =>
  graph.map((s) => (s.name === 'sg00' ? { ...s, sdl: s.sdl.replace('  f0_1: String\n', `  f0_1: String\n  ${field}: String\n`) } : s));

describe("a check's memory", () => {
  it("holds only the variant's API schema while it merges and validates, not the one the last check kept for its proposal", async () => {
    const { work, graph, published } = await publishedGraph();
    work.settle();
    const heldMidway: number[] = [];
    for (const field of ['addedOne', 'addedTwo']) {
      const checked = await work.run({ kind: 'check', subgraphs: withField(graph, field), beforeSdl: published.supergraphSdl }, () => heldMidway.push(work.apiSchemasHeld));
      expect(checked.changes.map((c) => c.coordinate.split('.')[1])).toContain(field);
    }

    // The first check starts with the variant's only; the second lets go of the first's proposal.
    expect(heldMidway).toEqual([1, 1]);
    // Each check keeps its own proposal's, for a publish of it.
    expect(work.apiSchemasHeld).toBe(2);
  });
});

describe('a check right after a publish', () => {
  it('diffs against the supergraph the publish composed before the worker has settled, building its API schema once', async () => {
    const { work, graph, published } = await publishedGraph();
    const proposal = withField(graph, 'addedSoon');

    const heldMidway: number[] = [];
    const checked = await work.run({ kind: 'check', subgraphs: proposal, beforeSdl: published.supergraphSdl }, () => heldMidway.push(work.apiSchemasHeld));
    work.settle();

    expect(checked.changes.map((c) => c.coordinate)).toEqual(['E0.addedSoon']);
    expect(heldMidway).toEqual([1]);
    // Settling after the check finds nothing left to build: the publish's API schema and the proposal's.
    expect(work.apiSchemasHeld).toBe(2);
  });
});

describe('the composition pool', () => {
  const pools: CompositionPool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });
  const open = (options: ConstructorParameters<typeof CompositionPool>[0]) => {
    const pool = new CompositionPool(options);
    pools.push(pool);
    return pool;
  };

  it('composes in a worker thread exactly what composing in process gives', async () => {
    const graph = sources(generatedGraph(3, 8));
    const pool = open({ size: 1, maxQueued: 4 });
    expect(await pool.run('caller:graph', { kind: 'compose', subgraphs: graph })).toEqual(composeSubgraphs(graph));
  });

  it('composes on a thread that yields the CPU to the event loop, which keeps its own priority', async () => {
    const pool = open({ size: 1, maxQueued: 4 });
    await pool.run('caller:graph', { kind: 'compose', subgraphs: sources(generatedGraph(3, 8)) });
    // Field 19 of a thread's stat is its niceness; the fields after the name (in parentheses) start at 3.
    const niceness = (thread: string) => {
      const stat = readFileSync(`/proc/self/task/${thread}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const others = readdirSync('/proc/self/task').filter((thread) => thread !== String(process.pid));
    expect(others.map(niceness)).toContain(10);
    expect(niceness(String(process.pid))).toBe(getPriority());
    expect(getPriority()).toBeLessThan(10);
  });

  it("sizes each worker's young generation by its semi-space option, and leaves the event loop's heap as it was", async () => {
    const tiny = sources([{ name: 'tiny', sdl: 'type Query { hello: String }' }]);
    const eventLoopLimit = v8.getHeapStatistics().heap_size_limit;
    const limits: number[] = [];
    for (const semiSpaceMb of [8, 64]) {
      const pool = open({ size: 1, maxQueued: 4, maxHeapMb: 128, semiSpaceMb });
      expect((await pool.run('a', { kind: 'compose', subgraphs: tiny })).ok).toBe(true);
      const heaps = await pool.heapStatistics();
      expect(heaps).toHaveLength(1);
      expect(heaps[0].usedBytes).toBeGreaterThan(0);
      limits.push(heaps[0].limitBytes);
    }
    // V8's heap limit counts the old generation and three semi-spaces (two of new space, one of new large objects).
    expect((limits[1] - limits[0]) / 2 ** 20).toBe(3 * (64 - 8));
    expect(v8.getHeapStatistics().heap_size_limit).toBe(eventLoopLimit);
  });

  it('refuses work with QUEUE_FULL once its queue is full, and still does the work it queued', async () => {
    const graph = sources(generatedGraph(6, 20));
    const pool = open({ size: 1, maxQueued: 2 });
    const accepted = ['ci-a', 'ci-b', 'ci-c'].map((caller) => pool.run(caller, { kind: 'compose', subgraphs: graph }));
    // The first is taken by the worker at once; two wait; a fourth finds the queue full.
    const refused = await pool.run('ci-d', { kind: 'compose', subgraphs: graph }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('QUEUE_FULL');
    expect((refused as DomainError).message).toContain('2 compositions are already waiting');
    for (const outcome of await Promise.all(accepted)) expect(outcome.ok).toBe(true);
  });

  it('refuses a caller past half of the queue with QUEUE_FULL, and still queues another caller\'s work', async () => {
    const graph = sources(generatedGraph(6, 20));
    const pool = open({ size: 1, maxQueued: 4 });
    // One runs at once and two wait: the caller's share of a queue of four.
    const accepted = [1, 2, 3].map(() => pool.run('flooding-key', { kind: 'compose', subgraphs: graph }));
    const refused = await pool.run('flooding-key', { kind: 'compose', subgraphs: graph }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('QUEUE_FULL');
    expect((refused as DomainError).message).toContain('this API key already has 2 compositions waiting');
    const other = pool.run('another-key', { kind: 'compose', subgraphs: graph });
    for (const outcome of await Promise.all([...accepted, other])) expect(outcome.ok).toBe(true);
  });

  it('drops a queued task with REQUEST_ABANDONED once its client has left, lets the running one finish, and runs the rest', async () => {
    const graph = sources(generatedGraph(6, 20));
    const pool = open({ size: 1, maxQueued: 4 });
    const leaving = new AbortController();
    const running = pool.run('ci-a', { kind: 'compose', subgraphs: graph }, undefined, { abandoned: leaving.signal });
    const left = pool.run('ci-b', { kind: 'compose', subgraphs: graph }, undefined, { abandoned: leaving.signal });
    const staying = pool.run('ci-c', { kind: 'compose', subgraphs: graph });
    expect(pool.queued).toBe(2);
    leaving.abort();
    expect(pool.queued).toBe(1);
    const dropped = await left.catch((err: unknown) => err);
    expect((dropped as DomainError).code).toBe('REQUEST_ABANDONED');
    for (const outcome of await Promise.all([running, staying])) expect(outcome.ok).toBe(true);
    const gone = await pool.run('ci-d', { kind: 'compose', subgraphs: graph }, undefined, { abandoned: leaving.signal }).catch((err: unknown) => err);
    expect((gone as DomainError).code).toBe('REQUEST_ABANDONED');
  });

  it('runs the next step of admitted work even when the queue is full', async () => {
    const graph = sources(generatedGraph(6, 20));
    const pool = open({ size: 1, maxQueued: 2 });
    const queued = ['ci-a', 'ci-b', 'ci-c'].map((caller) => pool.run(caller, { kind: 'compose', subgraphs: graph }));
    const fresh = await pool.run('ci-a', { kind: 'compose', subgraphs: graph }).catch((err: unknown) => err);
    expect((fresh as DomainError).code).toBe('QUEUE_FULL');
    const next = pool.run('ci-a', { kind: 'compose', subgraphs: graph }, undefined, { continuing: true });
    for (const outcome of await Promise.all([...queued, next])) expect(outcome.ok).toBe(true);
  });

  it('fails a task whose worker runs out of memory with WORKER_FAILED, and composes the next task in a new worker', async () => {
    const pool = open({ size: 1, maxQueued: 4, maxHeapMb: 48 });
    const failed = await pool.run('a', { kind: 'compose', subgraphs: sources(generatedGraph(20, 60)) }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(DomainError);
    expect((failed as DomainError).code).toBe('WORKER_FAILED');
    expect((failed as DomainError).message).toContain('COMPOSITION_WORKER_MAX_HEAP_MB=48');
    const small = sources([{ name: 'tiny', sdl: 'type Query { hello: String }' }]);
    expect((await pool.run('a', { kind: 'compose', subgraphs: small })).ok).toBe(true);
  });

  it('stops a task that outlasts its deadline with COMPOSITION_TIMEOUT, and composes the next task in a new worker', async () => {
    const pool = open({ size: 1, maxQueued: 4, taskTimeoutMs: 3_000 });
    // Satisfiability validation is quadratic in a type's width: 20,000 fields take 20 s and more.
    // (The deadline also counts a new worker's loading of composition, about a second.)
    const wide = sources([{ name: 'wide', sdl: `type Query { ${Array.from({ length: 20_000 }, (_, i) => `f${i}: Int`).join(' ')} }` }]);
    const startedAt = Date.now();
    const stopped = await pool.run('a', { kind: 'compose', subgraphs: wide }).catch((err: unknown) => err);
    expect(stopped).toBeInstanceOf(DomainError);
    expect((stopped as DomainError).code).toBe('COMPOSITION_TIMEOUT');
    expect((stopped as DomainError).message).toContain('COMPOSITION_TIMEOUT_MS');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    const small = sources([{ name: 'tiny', sdl: 'type Query { hello: String }' }]);
    expect((await pool.run('a', { kind: 'compose', subgraphs: small })).ok).toBe(true);
  });

  it('tells the changes of a check, and the coordinates its breaking ones touch, before the check ends: the same changes it ends with', async () => {
    const graph = sources(generatedGraph(3, 8));
    const pool = open({ size: 1, maxQueued: 4 });
    const published = await pool.run('ci:shop', { kind: 'compose', subgraphs: graph });
    const proposal = graph.map((s) => (s.name === 'sg00' ? { ...s, sdl: s.sdl.replaceAll('  f0_1: String\n', '') } : s));
    const told: unknown[] = [];
    const checked = await pool.run('ci:shop', { kind: 'check', subgraphs: proposal, beforeSdl: published.ok ? published.supergraphSdl : null }, (progress) =>
      told.push(progress),
    );
    expect(checked.composed.ok).toBe(true);
    expect(checked.changes.map((c) => [c.code, c.severity])).toEqual(Array(10).fill(['FIELD_REMOVED', 'BREAKING']));
    expect(told).toEqual([{ changes: checked.changes, touched: { exact: expect.arrayContaining(['E0.f0_1', 'E3.f0_1']), typePrefixes: [] } }]);
  });

  it('ends a check whose merged proposal fails satisfiability validation with its errors and no changes, after telling what merging found', async () => {
    const subgraph = (name: string, sdl: string): SubgraphSource => ({ name, sdl, routingUrl: `http://127.0.0.1:4999/${name}`, origin: name });
    const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n';
    const catalog = subgraph('catalog', `${link}type Query { thing: Thing }\ntype Thing @key(fields: "id") { id: ID! }`);
    const pool = open({ size: 1, maxQueued: 4 });
    const published = await pool.run('ci:shop', {
      kind: 'compose',
      subgraphs: [catalog, subgraph('reviews', `${link}type Thing @key(fields: "id") { id: ID! stars: Int legacy: Int }`)],
    });
    // Thing can no longer be fetched from reviews, so its stars cannot be reached from the query.
    const unreachable = subgraph('reviews', `${link}type Thing @key(fields: "id", resolvable: false) { id: ID! stars: Int }`);
    const told: { changes: { coordinate: string }[] }[] = [];
    const checked = await pool.run('ci:shop', { kind: 'check', subgraphs: [catalog, unreachable], beforeSdl: published.ok ? published.supergraphSdl : null }, (progress) =>
      told.push(progress),
    );
    expect(told.map((t) => t.changes.map((c) => c.coordinate))).toEqual([['Thing.legacy']]);
    expect(checked.changes).toEqual([]);
    expect(!checked.composed.ok && checked.composed.errors.map((e) => e.code)).toContain('SATISFIABILITY_ERROR');
  });

  it('finishes the tasks it has queued when it closes', async () => {
    const graph = sources(generatedGraph(3, 8));
    const pool = new CompositionPool({ size: 1, maxQueued: 8 });
    const queued = [1, 2, 3, 4].map((i) => pool.run(`lane${i}`, { kind: 'compose', subgraphs: graph }));
    await pool.close();
    for (const outcome of await Promise.all(queued)) expect(outcome.ok).toBe(true);
    await expect(pool.run('late', { kind: 'compose', subgraphs: graph })).rejects.toThrow('shutting down');
  });
});
