import { CHECK, publish, PUBLISH, repoSchema, startTestRegistry, TestRegistry } from './registry-harness';

let t: TestRegistry;

/** Shares Product.name with products without @shareable: does not compose. */
const clash = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
type Product @key(fields: "id") {
  id: ID!
  name: String!
}`;

beforeAll(async () => {
  t = await startTestRegistry('sqlite', 'registry_metrics', { COMPOSITION_WORKERS: '1', COMPOSITION_WORKER_MAX_HEAP_MB: '256', COMPOSITION_WORKER_SEMI_SPACE_MB: '16' });
});

afterAll(async () => {
  await t?.stop();
});

/** The sum of the samples of `name` whose labels include `labels`. */
async function sample(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${t.registry.baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('the registry metrics', () => {
  it('counts publishes by result and times each composition', async () => {
    await publish(t, 'shop@current', 'products', repoSchema('products'));
    await publish(t, 'shop@current', 'products', repoSchema('products'));
    const refused = await t.gql(PUBLISH, { input: { ref: 'shop@current', name: 'reviews', sdl: clash, routingUrl: 'http://127.0.0.1:4010/graphql' } });
    expect(refused.data.publishSubgraph.published).toBe(false);
    const badRef = await t.gql(PUBLISH, { input: { ref: 'shop@current', name: 'reviews', sdl: clash, routingUrl: 'not a url' } });
    expect(badRef.errors).toHaveLength(1);

    expect(await sample('schema_registry_publishes_total', 'result="published"')).toBe(1);
    expect(await sample('schema_registry_publishes_total', 'result="unchanged"')).toBe(1);
    expect(await sample('schema_registry_publishes_total', 'result="refused"')).toBe(1);
    expect(await sample('schema_registry_publishes_total', 'result="error"')).toBe(1);
    expect(await sample('schema_registry_composition_duration_seconds_count', 'result="composed"')).toBe(2);
    expect(await sample('schema_registry_composition_duration_seconds_count', 'result="failed"')).toBe(1);
  });

  it('counts checks as passed, failed or error', async () => {
    const check = (sdl: string, name = 'products') => t.gql(CHECK, { input: { ref: 'shop@current', name, sdl } });
    expect((await check(repoSchema('products'))).data.checkSubgraph.passed).toBe(true);
    expect((await check(clash, 'reviews')).data.checkSubgraph.passed).toBe(false);
    expect((await check(repoSchema('products'), 'not a name!')).errors).toHaveLength(1);

    expect(await sample('schema_registry_checks_total', 'result="passed"')).toBe(1);
    expect(await sample('schema_registry_checks_total', 'result="failed"')).toBe(1);
    expect(await sample('schema_registry_checks_total', 'result="error"')).toBe(1);
  });

  it("reports the composition worker's heap: what it uses, and its limit from the old generation's and the semi-spaces' settings", async () => {
    await publish(t, 'shop@current', 'products', repoSchema('products'));
    const used = await sample('schema_registry_composition_worker_heap_bytes', 'measure="used"');
    expect(used).toBeGreaterThan(1 << 20);
    // The old generation, and three semi-spaces: two of new space and one of new large objects.
    expect(await sample('schema_registry_composition_worker_heap_bytes', 'measure="limit"')).toBe((256 + 3 * 16) * 2 ** 20);
  });
});
