import { ficus, ScratchFolder, startRegistryForCli } from './cli-harness';
import { publish, repoSchema, startTestRegistry, TestRegistry } from './registry-harness';
import { roverAgainst, RoverCli } from './rover-binary';

/**
 * Composes with products, with one hint: the enum `Mood` is defined but no field uses it
 * (UNUSED_ENUM_TYPE). Composition gives that hint no nodes, so it has no locations.
 */
const reviewsWithUnusedEnum = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@shareable"])
type Query { reviewCount: Int reviewStats: Stats }
enum Mood { HAPPY SAD }
type Stats @shareable { total: Int! }
`;

/** Shares Stats with reviews, but with a nullable total: INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE, a hint with nodes. */
const ratingsWithLooserStats = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@shareable"])
type Query { ratingStats: Stats }
type Stats @shareable { total: Int }
`;

const PUBLISH_WITH_HINTS = /* GraphQL */ `
  mutation Publish($input: PublishSubgraphInput!) {
    publishSubgraph(input: $input) {
      published unchanged
      subgraph { name }
      compositionErrors { code message locations { subgraph line column } }
      hints { code message locations { subgraph line column } }
    }
  }
`;
const SUBGRAPHS = /* GraphQL */ `query ($ref: String!) { variant(ref: $ref) { subgraphs { name sdl } } }`;

const reviewsUrl = 'http://127.0.0.1:4010/graphql';

describe.each(['sqlite', 'postgres'] as const)('a publish that composes with hints, through the API on %s', (kind) => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry(kind, `publish_hints_${kind}`);
    // A subgraph that composes alone without hints (products has a field in flight: its @override hints).
    await publish(t, 'shop@current', 'users', repoSchema('users'));
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('is published, and answers a hint composition gives no place with its code, message and no locations', async () => {
    const res = await t.gql(PUBLISH_WITH_HINTS, { input: { ref: 'shop@current', name: 'reviews', sdl: reviewsWithUnusedEnum, routingUrl: reviewsUrl } });
    expect(res.errors).toBeUndefined();
    expect(res.data.publishSubgraph).toEqual({
      published: true,
      unchanged: false,
      subgraph: { name: 'reviews' },
      compositionErrors: [],
      hints: [{ code: 'UNUSED_ENUM_TYPE', message: expect.stringContaining('Enum type "Mood" is defined but unused'), locations: [] }],
    });
    expect((await t.gql(SUBGRAPHS, { ref: 'shop@current' })).data.variant.subgraphs).toContainEqual({ name: 'reviews', sdl: reviewsWithUnusedEnum });

    const again = await t.gql(PUBLISH_WITH_HINTS, { input: { ref: 'shop@current', name: 'reviews', sdl: reviewsWithUnusedEnum, routingUrl: reviewsUrl } });
    expect(again.errors).toBeUndefined();
    expect(again.data.publishSubgraph).toMatchObject({ published: true, unchanged: true, hints: [expect.objectContaining({ code: 'UNUSED_ENUM_TYPE' })] });
  });

  it('answers where a hint is when composition says', async () => {
    const res = await t.gql(PUBLISH_WITH_HINTS, { input: { ref: 'shop@current', name: 'ratings', sdl: ratingsWithLooserStats, routingUrl: 'http://127.0.0.1:4011/graphql' } });
    expect(res.errors).toBeUndefined();
    expect(res.data.publishSubgraph.published).toBe(true);
    expect(res.data.publishSubgraph.hints).toContainEqual({
      code: 'INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE',
      message: expect.stringContaining('Type of field "Stats.total" is inconsistent but compatible'),
      locations: [
        { subgraph: 'ratings', line: 3, column: 25 },
        { subgraph: 'reviews', line: 4, column: 25 },
      ],
    });
  });
});

describe('a publish that composes with hints, through ficus and rover', () => {
  let t: TestRegistry;
  let env: Record<string, string>;
  let rover: RoverCli;
  const scratch = new ScratchFolder('ficus-hints-');

  beforeAll(async () => {
    t = await startRegistryForCli('publish_hints_cli');
    env = { FICUS_REGISTRY_URL: t.registry.baseUrl, FICUS_API_KEY: t.keys.all };
    rover = roverAgainst(t);
    for (const ref of ['shop@ficus', 'shop@rover']) await publish(t, ref, 'users', repoSchema('users'));
  });
  afterAll(async () => {
    rover?.cleanup();
    scratch.remove();
    await t?.stop();
  });

  it('ficus subgraph publish exits 0, prints the hint with where it is, and gives it in --format json', async () => {
    const schema = scratch.file('reviews.graphql', reviewsWithUnusedEnum);
    const run = await ficus(['subgraph', 'publish', 'shop@ficus', '--name', 'reviews', '--schema', schema, '--routing-url', reviewsUrl], env);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Published subgraph "reviews" to shop@ficus as ci-all; supergraph [0-9a-f]{64}$/m) });
    expect(run.stderr).toMatch(/^hint\[UNUSED_ENUM_TYPE\]: Enum type "Mood" is defined but unused\. It will be included in the supergraph .*\)\.$/m);

    const json = await ficus(['subgraph', 'publish', 'shop@ficus', '--name', 'reviews', '--schema', schema, '--routing-url', reviewsUrl, '--format', 'json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      data: { success: true, published: true, unchanged: true, hints: [{ code: 'UNUSED_ENUM_TYPE', locations: [] }] },
      error: null,
    });

    const ratings = await ficus(['subgraph', 'publish', 'shop@ficus', '--name', 'ratings', '--schema', scratch.file('ratings.graphql', ratingsWithLooserStats), '--routing-url', 'http://127.0.0.1:4011/graphql'], env);
    expect(ratings.code).toBe(0);
    expect(ratings.stderr).toMatch(/^hint\[INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE\]: Type of field "Stats\.total" is inconsistent .* \(ratings:3:25, reviews:4:25\)$/m);
  });

  it('rover subgraph publish exits 0 and the subgraph is served', async () => {
    const run = await rover.run(['subgraph', 'publish', 'shop@rover', '--name', 'reviews', '--schema', rover.file('reviews.graphql', reviewsWithUnusedEnum), '--routing-url', reviewsUrl]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("A new subgraph called 'reviews' was created in 'shop@rover'");
    expect((await t.gql(SUBGRAPHS, { ref: 'shop@rover' })).data.variant.subgraphs).toContainEqual({ name: 'reviews', sdl: reviewsWithUnusedEnum });
  });
});
