import { ficus, startRegistryForCli } from './cli-harness';
import { publish, TestRegistry } from './registry-harness';

/** Products before the move: it has the entity, not yet the field. */
const productsBefore = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { product(id: ID!): Product }
type Product @key(fields: "id") {
  id: ID!
  name: String!
}
`;

/** The monolith's API: it serves the field today. */
const legacyShop = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { legacyProducts: [Product!]! }
type Product @key(fields: "id") {
  id: ID!
  # kept by the old storefront's links
  "The storefront URL slug."
  slug: String
}
`;

const SUBGRAPHS = /* GraphQL */ `query ($ref: String!) { variant(ref: $ref) { subgraphs { name sdl } supergraph { sdl } } }`;

let t: TestRegistry;
let env: Record<string, string>;

async function published(): Promise<{ sdlOf: (name: string) => string; supergraph: string }> {
  const { data } = await t.gql(SUBGRAPHS, { ref: 'shop@current' });
  const subgraphs = data.variant.subgraphs as { name: string; sdl: string }[];
  return { sdlOf: (name) => subgraphs.find((s) => s.name === name)!.sdl, supergraph: data.variant.supergraph.sdl };
}

const slugLine = (supergraph: string) => supergraph.split('\n').find((line) => line.trimStart().startsWith('slug:'));

beforeAll(async () => {
  t = await startRegistryForCli('strangle_override_cli');
  env = { FICUS_REGISTRY_URL: t.registry.baseUrl, FICUS_API_KEY: t.keys.all };
  await publish(t, 'shop@current', 'products', productsBefore);
  await publish(t, 'shop@current', 'legacy-shop', legacyShop);
});

afterAll(async () => {
  await t?.stop();
});

describe('ficus override, step by step', () => {
  it('start copies the field to the new owner with a percent(0) @override and imports the directive', async () => {
    const run = await ficus(['override', 'start', 'shop@current', 'Product.slug', '--from', 'legacy-shop', '--to', 'products', '--percent', '0'], env);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining("products now serves 0% of Product.slug's requests, legacy-shop the other 100%") });
    const { sdlOf, supergraph } = await published();
    expect(sdlOf('products')).toContain('import: ["@key", "@override"]');
    expect(sdlOf('products')).toContain('  "The storefront URL slug."\n  slug: String @override(from: "legacy-shop", label: "percent(0)")\n}');
    expect(sdlOf('legacy-shop')).toBe(legacyShop);
    expect(slugLine(supergraph)).toContain('overrideLabel: "percent(0)"');
  });

  it('set rewrites the label to the new share', async () => {
    const run = await ficus(['override', 'set', 'shop@current', 'Product.slug', '--percent', '25'], env);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('products now serves 25%') });
    expect((await published()).sdlOf('products')).toContain('slug: String @override(from: "legacy-shop", label: "percent(25)")');
  });

  it('remove is refused by the registry while the override is partial, with its code and the step to take first', async () => {
    const run = await ficus(['override', 'remove', 'shop@current', 'Product.slug'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('PARTIAL_OVERRIDE_FIELD_REMOVED: Product.slug cannot leave subgraph "legacy-shop"');
    expect(run.stdout).toContain('Finish the override first');
    expect(run.stderr).toMatch(/error: Product.slug: check failed: 1 composition error\(s\) \(PARTIAL_OVERRIDE_FIELD_REMOVED\); nothing was published/);
    expect((await published()).sdlOf('legacy-shop')).toBe(legacyShop);
  });

  it('a plain publish of the old owner without the field is refused the same way, as is its check', async () => {
    const without = legacyShop.replace('  # kept by the old storefront\'s links\n  "The storefront URL slug."\n  slug: String\n', '');
    const input = { ref: 'shop@current', name: 'legacy-shop', sdl: without, routingUrl: 'http://127.0.0.1:4999/legacy-shop' };
    const res = await t.gql(`mutation ($input: PublishSubgraphInput!) { publishSubgraph(input: $input) { published compositionErrors { code message } } }`, { input });
    expect(res.data.publishSubgraph).toEqual({
      published: false,
      compositionErrors: [{ code: 'PARTIAL_OVERRIDE_FIELD_REMOVED', message: expect.stringContaining('(@override label "percent(25)")') }],
    });
    const check = await t.gql(`mutation ($input: CheckSubgraphInput!) { checkSubgraph(input: $input) { passed compositionErrors { code } } }`, {
      input: { ref: 'shop@current', name: 'legacy-shop', sdl: without },
    });
    expect(check.data.checkSubgraph).toEqual({ passed: false, compositionErrors: [{ code: 'PARTIAL_OVERRIDE_FIELD_REMOVED' }] });
  });

  it('set to a lower share is the rollback', async () => {
    const run = await ficus(['override', 'set', 'shop@current', 'Product.slug', '--percent', '0', '--format', 'json'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ data: { success: true, subgraph: 'products', publish: { published: true } }, error: null });
    expect(slugLine((await published()).supergraph)).toContain('overrideLabel: "percent(0)"');
  });

  it('refuses a share outside 0 to 100 and a malformed coordinate as usage errors', async () => {
    expect(await ficus(['override', 'set', 'shop@current', 'Product.slug', '--percent', '150'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('from 0 to 100') });
    expect(await ficus(['override', 'set', 'shop@current', 'Product.slug', '--percent', 'half'], env)).toMatchObject({ code: 2 });
    expect(await ficus(['override', 'finish', 'shop@current', 'Product'], env)).toMatchObject({ code: 2, stderr: expect.stringContaining('not a field coordinate') });
    expect(await ficus(['override', 'start', 'shop@current', 'Product.slug', '--from', 'products', '--to', 'products'], env)).toMatchObject({ code: 2 });
  });

  it('start refuses a field the old owner does not declare, and names it', async () => {
    const run = await ficus(['override', 'start', 'shop@current', 'Product.colour', '--from', 'legacy-shop', '--to', 'products'], env);
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('"legacy-shop" does not declare Product.colour') });
  });

  it('finish makes the override plain, and then remove takes the field from the old owner', async () => {
    expect((await ficus(['override', 'finish', 'shop@current', 'Product.slug'], env)).code).toBe(0);
    expect((await published()).sdlOf('products')).toContain('slug: String @override(from: "legacy-shop")\n');

    const run = await ficus(['override', 'remove', 'shop@current', 'Product.slug'], env);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('Product.slug is gone from legacy-shop') });
    const { sdlOf, supergraph } = await published();
    expect(sdlOf('legacy-shop')).toBe(legacyShop.replace('  # kept by the old storefront\'s links\n  "The storefront URL slug."\n  slug: String\n', ''));
    expect(slugLine(supergraph)).not.toContain('LEGACY_SHOP');
  });

  it('set after the removal says the move is over', async () => {
    const run = await ficus(['override', 'set', 'shop@current', 'Product.slug', '--percent', '50'], env);
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('"legacy-shop" no longer declares Product.slug') });
  });
});
