import { CHECK, publish, startTestRegistry, TestRegistry } from './registry-harness';
import { generatedGraph } from './generated-graph';

let t: TestRegistry;
const ref = 'generated@current';
const graph = generatedGraph(24, 60);

beforeAll(async () => {
  t = await startTestRegistry('sqlite', 'reg_check_off_thread');
  for (const subgraph of graph) await publish(t, ref, subgraph.name, subgraph.sdl);
}, 300_000);

afterAll(async () => {
  await t?.stop();
});

/** Asks /health over and over until `done` settles; the slowest answer, in ms. */
async function slowestHealthWhile(done: Promise<unknown>): Promise<{ slowestMs: number; answers: number }> {
  let settled = false;
  void done.finally(() => (settled = true));
  let slowestMs = 0;
  let answers = 0;
  while (!settled) {
    const started = performance.now();
    const response = await fetch(`${t.registry.baseUrl}/health`);
    expect(response.ok).toBe(true);
    slowestMs = Math.max(slowestMs, performance.now() - started);
    answers++;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { slowestMs, answers };
}

describe('checks composed off the request thread', () => {
  it('keep /health answering quickly while a check of a large graph composes', async () => {
    const sg03 = graph[3]!;
    const started = performance.now();
    const check = t.gql(CHECK, { input: { ref, name: sg03.name, sdl: sg03.sdl.replaceAll('  f3_1: String\n', '') } });
    const health = await slowestHealthWhile(check);
    const checkMs = performance.now() - started;
    const report = (await check).data.checkSubgraph;

    expect(report.compositionErrors).toEqual([]);
    // sg03 owns ten entities; each loses f3_1.
    expect(report.changes.filter((c: { code: string }) => c.code === 'FIELD_REMOVED')).toHaveLength(10);
    // Composing this graph takes seconds; on the event loop /health would wait for all of it.
    process.stdout.write(`check ${checkMs.toFixed(0)} ms, /health slowest ${health.slowestMs.toFixed(0)} ms over ${health.answers} answers\n`);
    expect(checkMs).toBeGreaterThan(1000);
    expect(health.answers).toBeGreaterThan(5);
    expect(health.slowestMs).toBeLessThan(Math.min(500, checkMs / 2));
  }, 120_000);

  it('composes anew after a publish changes a subgraph: a check of the published SDL finds no change, one of the old SDL finds it', async () => {
    const sg04 = graph[4]!;
    const changed = sg04.sdl.replaceAll('  f4_1: String\n', '  f4_1: String\n  f4_2: Int\n');
    const checked = (await t.gql(CHECK, { input: { ref, name: sg04.name, sdl: changed } })).data.checkSubgraph;
    expect(checked.changes.map((c: { code: string; coordinate: string }) => `${c.code} ${c.coordinate}`)).toContain('FIELD_ADDED E4.f4_2');

    const same = await publish(t, ref, sg04.name, sg04.sdl);
    expect(same.unchanged).toBe(true);
    const after = await publish(t, ref, sg04.name, changed);
    expect(after.unchanged).toBe(false);
    expect(after.supergraph.id).not.toBe(same.supergraph.id);

    const recheck = (await t.gql(CHECK, { input: { ref, name: sg04.name, sdl: changed } })).data.checkSubgraph;
    expect(recheck.changes).toEqual([]);
    const revert = (await t.gql(CHECK, { input: { ref, name: sg04.name, sdl: sg04.sdl } })).data.checkSubgraph;
    expect(revert.changes.map((c: { code: string; coordinate: string }) => `${c.code} ${c.coordinate}`)).toContain('FIELD_REMOVED E4.f4_2');
  }, 120_000);
});
