import { apiSchemaOf } from '../src';
import { clashingReviewsSdl } from './fixtures';
import { contractOperation, coordinatesOf, productsWithoutSku, publish, repoSchema, reportUsage, startTestRegistry, TestRegistry } from './registry-harness';
import { roverAgainst, RoverCli, roverJson } from './rover-binary';

const SUPERGRAPH = /* GraphQL */ `query ($ref: String!) { variant(ref: $ref) { supergraph { id sdl } subgraphs { name routingUrl sdl } } }`;
const CHECK_RUN = /* GraphQL */ `query ($ref: String!, $id: ID!) { variant(ref: $ref) { checkRun(id: $id) { id passed subgraph } } }`;
const CONFIGURE = /* GraphQL */ `mutation ($input: ConfigureChecksInput!) { configureChecks(input: $input) { queryCountThreshold } }`;
const FICUS_CHECK = /* GraphQL */ `mutation ($input: CheckSubgraphInput!) { checkSubgraph(input: $input) { passed } }`;

const productsUrl = 'http://127.0.0.1:4002/graphql';
const inventoryUrl = 'http://127.0.0.1:4003/graphql';
const undefinedProduct = 'type Query {\n  products: [Product!]!\n}\n';

/**
 * The real rover 0.41.0 (`@apollo/rover`) against a registry on port 0: what it prints and the
 * exit codes it gives (0 done; 1 failed, refused or error; 2 wrong arguments, from its argument parser).
 */
describe.each(['sqlite', 'postgres'] as const)('rover 0.41.0 against the registry on %s', (kind) => {
  let t: TestRegistry;
  let rover: RoverCli;
  const schema = (name: string, sdl: string) => rover.file(`${name}.graphql`, sdl);

  beforeAll(async () => {
    t = await startTestRegistry(kind, 'rover-bin');
    rover = roverAgainst(t);
    for (const ref of ['shop@current', 'shop@used']) {
      await publish(t, ref, 'products', repoSchema('products'), productsUrl);
      await publish(t, ref, 'inventory', repoSchema('inventory'), inventoryUrl);
    }
    const sdl = (await t.gql(SUPERGRAPH, { ref: 'shop@current' })).data.variant.supergraph.sdl;
    const operation = contractOperation('Catalog');
    const catalog = { signature: operation, operationName: 'Catalog', coordinates: coordinatesOf(operation, apiSchemaOf(sdl)) };
    const names = { signature: 'query Names{products{edges{node{name}}}}', operationName: 'Names', coordinates: ['Query.products', 'ProductConnection.edges', 'ProductEdge.node', 'Product.name'] };
    // Catalog (which reads Product.sku) is 120 of the 150 requests: 80 %.
    const used = await reportUsage(t, 'shop@used', [
      { ...catalog, clientName: 'storefront', clientVersion: '1.4.0', count: 120 },
      { ...names, clientName: 'admin', clientVersion: '0.9', count: 30 },
    ]);
    expect(used.status).toBe(202);
  });

  afterAll(async () => {
    rover?.cleanup();
    await t?.stop();
  });

  const supergraphOf = async (ref: string) => (await t.gql(SUPERGRAPH, { ref })).data.variant;

  describe('config whoami', () => {
    it('names the key as a User key and exits 0', async () => {
      const run = await rover.run(['config', 'whoami']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Key Type\s+┆ User/);
      expect(run.stdout).toMatch(/User ID\s+┆ ci-all/);
    });

    it('says the registry did not recognise an unknown key (E013) and exits 1', async () => {
      const run = await rover.run(['config', 'whoami'], { key: 'ficus_not-a-key' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('error[E013]: The registry did not recognize the provided API key');
      expect(run.stderr).not.toContain('No data field provided');

      const json = roverJson(await rover.run(['config', 'whoami', '--format', 'json'], { key: 'ficus_not-a-key' }));
      expect(json).toEqual({ json_version: '1', data: { success: false }, error: { message: 'The registry did not recognize the provided API key', code: 'E013' } });
    });

    it('turns away an unknown key on any other command with "Invalid credentials", exit 1', async () => {
      const run = await rover.run(['subgraph', 'list', 'shop@current'], { key: 'ficus_not-a-key' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('error: Unauthorized: Invalid credentials provided');
    });
  });

  describe('subgraph check', () => {
    it('passes an unchanged subgraph and exits 0', async () => {
      const run = await rover.run(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema('products', repoSchema('products'))]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('There were no changes detected in the composed schema.');
    });

    it('fails the removal of Product.sku that the storefront’s Catalog uses: a FAIL line naming them, E043, exit 1', async () => {
      const run = await rover.run(['subgraph', 'check', 'shop@used', '--name', 'products', '--schema', schema('no-sku', productsWithoutSku())]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('Compared 1 schema changes against 2 operations.');
      expect(run.stdout).toMatch(/FAIL\s+┆ FIELD_REMOVED\s+┆ Field 'sku' was removed from object type 'Product' \(used by Catalog by storefront 1\.4\.0: 120 requests\)/);
      expect(run.stderr).toContain('error[E043]: The changes in the schema you proposed caused operation checks to fail.');
    });

    it('fails on composition errors with their codes (E029), exit 1', async () => {
      const run = await rover.run(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema('undefined-product', undefinedProduct)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("error[E029]: Encountered 1 build error while trying to build subgraph 'products' into supergraph 'shop@current'.");
      expect(run.stderr).toContain('INVALID_GRAPHQL: [products] Unknown type Product');
    });

    it('prints the reason, not "No data field provided", when the registry refuses the request before running it', async () => {
      const nul = await rover.run(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema('nul', 'type Query { a: String }\n\u0000')]);
      expect(nul.code).toBe(1);
      expect(nul.stderr).toMatch(/error: Response returned with errors:\s+.*text may not hold the character U\+0000/);
      const threshold = await rover.run(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema('products', repoSchema('products')), '--query-count-threshold', '4294967295']);
      expect(threshold.code).toBe(1);
      expect(threshold.stderr).toMatch(/error: Response returned with errors:\s+.*Variable "\$input" got invalid value 4294967295/);
      for (const run of [nul, threshold]) expect(run.stderr).not.toContain('No data field provided');
    });

    it('gives rover’s JSON envelope with --format json, for a failed check and a passed one', async () => {
      const failed = await rover.run(['subgraph', 'check', 'shop@used', '--name', 'products', '--schema', schema('no-sku', productsWithoutSku()), '--format', 'json']);
      expect(failed.code).toBe(1);
      const json = roverJson(failed);
      expect(json).toMatchObject({
        json_version: '2',
        data: { success: false, core_schema_modified: true, tasks: { operations: { task_status: 'FAILED', operation_check_count: 2 } } },
        error: { code: 'E043' },
      });
      expect(json.data.tasks.operations.changes).toContainEqual({ severity: 'FAIL', code: 'FIELD_REMOVED', description: expect.stringContaining('used by Catalog') });

      const passed = await rover.run(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema('products', repoSchema('products')), '--format', 'json']);
      expect(passed.code).toBe(0);
      expect(roverJson(passed)).toMatchObject({ data: { success: true, core_schema_modified: false }, error: null });
    });

    it('starts a check and exits 0 with --background; the run is stored under the workflow id it prints', async () => {
      const run = await rover.run(['subgraph', 'check', 'shop@used', '--name', 'products', '--schema', schema('no-sku', productsWithoutSku()), '--background']);
      expect(run.code).toBe(0);
      const id = /Check successfully started with workflow ID: (\S+)/.exec(run.stdout + run.stderr)?.[1];
      expect(id).toBeDefined();
      expect((await t.gql(CHECK_RUN, { ref: 'shop@used', id })).data.variant.checkRun).toEqual({ id, passed: false, subgraph: 'products' });
    });

    it('applies --validation-period and --query-count-threshold: Catalog’s 120 requests block at 100, not at 200', async () => {
      const sdl = schema('no-sku', productsWithoutSku());
      const above = await rover.run(['subgraph', 'check', 'shop@used', '--name', 'products', '--schema', sdl, '--validation-period', '7d', '--query-count-threshold', '200']);
      expect(above.code).toBe(0);
      const within = await rover.run(['subgraph', 'check', 'shop@used', '--name', 'products', '--schema', sdl, '--validation-period', '7d', '--query-count-threshold', '100']);
      expect(within.code).toBe(1);
      expect(within.stdout).toContain('used by Catalog by storefront 1.4.0: 120 requests');
    });

    it('reads --query-percentage-threshold as rover sends it, a fraction: 100 arrives as 1 (every request), 50 as 0 (none)', async () => {
      const sdl = schema('no-sku', productsWithoutSku());
      // Catalog is 80 % of requests: below a 100 % threshold, so nothing blocks.
      const all = await rover.run(['subgraph', 'check', 'shop@used', '--name', 'products', '--schema', sdl, '--query-percentage-threshold', '100']);
      expect(all.code).toBe(0);
      // rover divides 50 by 100 in whole numbers: no threshold reaches the registry, so Catalog blocks.
      const half = await rover.run(['subgraph', 'check', 'shop@used', '--name', 'products', '--schema', sdl, '--query-percentage-threshold', '50']);
      expect(half.code).toBe(1);
      expect(half.stderr).toContain('error[E043]');
    });

    it('checks with a check-only key, refuses a key without the check scope (E033), and finds no variant nothing was published to', async () => {
      const sdl = schema('products', repoSchema('products'));
      const checkOnly = await rover.run(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', sdl], { key: t.keys.check });
      expect(checkOnly.code).toBe(0);
      const readOnly = await rover.run(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', sdl], { key: t.keys.read });
      expect(readOnly.code).toBe(1);
      expect(readOnly.stderr).toContain('error[E033]');
      expect(readOnly.stderr).toContain('the API key "ci-read" lacks the check scope');

      const nowhere = await rover.run(['subgraph', 'check', 'shop@nowhere', '--name', 'products', '--schema', sdl]);
      expect(nowhere.code).toBe(1);
      expect(nowhere.stderr).toContain("Could not find graph with name 'shop@nowhere'");
    });
  });

  describe('subgraph publish', () => {
    it('creates a subgraph with its routing URL, keeps the URL when publishing again without one, and reports an unchanged SDL', async () => {
      const created = await rover.run(['subgraph', 'publish', 'shop@rover', '--name', 'products', '--schema', schema('products', repoSchema('products')), '--routing-url', productsUrl]);
      expect(created.code).toBe(0);
      const first = await supergraphOf('shop@rover');
      expect(created.stderr).toContain(`A new subgraph called 'products' was created in 'shop@rover' (#${first.supergraph.id})`);
      expect(created.stderr).toContain("The supergraph schema for 'shop@rover' was updated, composed from the updated 'products' subgraph");
      expect(first.subgraphs).toEqual([{ name: 'products', routingUrl: productsUrl, sdl: repoSchema('products') }]);

      const updated = await rover.run(['subgraph', 'publish', 'shop@rover', '--name', 'products', '--schema', '-'], { stdin: productsWithoutSku() });
      expect(updated.code).toBe(0);
      expect(updated.stderr).toContain("The 'products' subgraph in 'shop@rover' was updated");
      expect((await supergraphOf('shop@rover')).subgraphs).toEqual([{ name: 'products', routingUrl: productsUrl, sdl: productsWithoutSku() }]);

      const unchanged = await rover.run(['subgraph', 'publish', 'shop@rover', '--name', 'products', '--schema', schema('no-sku', productsWithoutSku()), '--format', 'json']);
      expect(unchanged.code).toBe(0);
      expect(roverJson(unchanged)).toMatchObject({ data: { success: true, subgraph_was_created: false, subgraph_was_updated: false, supergraph_was_updated: false }, error: null });
    });

    it('refuses a subgraph that does not compose: exit 1, the composition errors printed, the supergraph unchanged', async () => {
      const before = await supergraphOf('shop@current');
      const run = await rover.run(['subgraph', 'publish', 'shop@current', '--name', 'reviews', '--schema', schema('reviews', clashingReviewsSdl), '--routing-url', 'http://127.0.0.1:4010/graphql']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("error: The 'reviews' subgraph was NOT published to 'shop@current'");
      expect(run.stderr).toMatch(/INVALID_FIELD_SHARING: .*Product\.name/);
      expect(run.stderr).not.toContain('no changes were detected');
      expect(await supergraphOf('shop@current')).toEqual(before);
    });

    it('publishes to a new variant after a first publish that did not compose', async () => {
      const refused = await rover.run(['subgraph', 'publish', 'shop@fresh', '--name', 'products', '--schema', schema('undefined-product', undefinedProduct), '--routing-url', productsUrl, '--format', 'json']);
      expect(refused.code).toBe(1);
      expect(roverJson(refused).error).toEqual({ message: expect.stringContaining('INVALID_GRAPHQL: [products] Unknown type Product'), code: null });
      expect(await supergraphOf('shop@fresh')).toBeNull();

      const published = await rover.run(['subgraph', 'publish', 'shop@fresh', '--name', 'products', '--schema', schema('products', repoSchema('products')), '--routing-url', productsUrl]);
      expect(published.code).toBe(0);
      expect(published.stderr).toContain("A new subgraph called 'products' was created in 'shop@fresh'");
    });

    it('publishes to a variant that only has check settings and check runs, and leaves it out of the variants rover lists until then', async () => {
      const configured = await t.gql(CONFIGURE, { input: { ref: 'shop@configured', queryCountThreshold: 5 } });
      expect(configured.errors).toBeUndefined();
      const checked = await t.gql(FICUS_CHECK, { input: { ref: 'shop@configured', name: 'products', sdl: repoSchema('products') } });
      expect(checked.data.checkSubgraph.passed).toBe(true);

      const fetched = await rover.run(['supergraph', 'fetch', 'shop@configured']);
      expect(fetched.code).toBe(1);
      expect(fetched.stderr).toContain("error[E008]: The graph registry does not contain variant 'configured' for graph 'shop'");
      expect(fetched.stderr).not.toMatch(/existing variants .*configured/);

      const published = await rover.run(['subgraph', 'publish', 'shop@configured', '--name', 'products', '--schema', schema('products', repoSchema('products')), '--routing-url', productsUrl]);
      expect(published.code).toBe(0);
      expect(published.stderr).toContain("A new subgraph called 'products' was created in 'shop@configured'");
    });

    it('asks for a routing URL for a new subgraph (E041), and publishes with a publish-only key but not a read-only one', async () => {
      const noUrl = await rover.run(['subgraph', 'publish', 'shop@current', '--name', 'reviews', '--schema', schema('reviews', clashingReviewsSdl)]);
      expect(noUrl.code).toBe(1);
      expect(noUrl.stderr).toContain('error[E041]: You cannot publish a new subgraph without specifying a routing URL.');

      const readOnly = await rover.run(['subgraph', 'publish', 'shop@current', '--name', 'products', '--schema', schema('products', repoSchema('products'))], { key: t.keys.read });
      expect(readOnly.code).toBe(1);
      expect(readOnly.stderr).toContain('the API key "ci-read" lacks the publish scope');
      const publishOnly = await rover.run(['subgraph', 'publish', 'shop@current', '--name', 'products', '--schema', schema('products', repoSchema('products'))], { key: t.keys.publish });
      expect(publishOnly.code).toBe(0);
      expect(publishOnly.stderr).toContain("The 'products' subgraph was NOT updated because no changes were detected");
    });
  });

  describe('subgraph delete', () => {
    const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@requires"])\n';
    const base = `${link}type Query { things: [Thing!]! }\ntype Thing @key(fields: "id") { id: ID! size: Int }\n`;
    // Needs base: Thing.size is external here and provided only there.
    const doubling = `${link}type Thing @key(fields: "id") { id: ID! size: Int @external double: Int @requires(fields: "size") }\n`;

    beforeAll(async () => {
      await publish(t, 'things@current', 'base', base, 'http://127.0.0.1:4020/base');
      await publish(t, 'things@current', 'doubling', doubling, 'http://127.0.0.1:4020/doubling');
    });

    it('previews the build errors of a deletion the others do not compose without, and refuses it with --confirm: exit 1, nothing changed', async () => {
      const before = await supergraphOf('things@current');
      const preview = await rover.run(['subgraph', 'delete', 'things@current', '--name', 'base'], { stdin: 'n\n' });
      expect(preview.stderr).toContain("WARN: Deleting the base subgraph from things@current would result in the following build errors:");
      expect(preview.stderr).toContain('EXTERNAL_MISSING_ON_BASE');
      expect(preview.stderr).toContain('Delete cancelled by user');

      const confirmed = await rover.run(['subgraph', 'delete', 'things@current', '--name', 'base', '--confirm']);
      expect(confirmed.code).toBe(1);
      expect(confirmed.stderr).toContain("The 'base' subgraph was NOT deleted from 'things@current'");
      expect(await supergraphOf('things@current')).toEqual(before);
    });

    it('deletes a subgraph with --confirm: exit 0, and the variant and its supergraph no longer have it', async () => {
      const run = await rover.run(['subgraph', 'delete', 'things@current', '--name', 'doubling', '--confirm']);
      expect(run.code).toBe(0);
      expect(run.stderr).not.toContain('WARN');
      expect(run.stderr).toContain("The 'doubling' subgraph was removed from 'things@current'. The remaining subgraphs were composed.");
      const after = await supergraphOf('things@current');
      expect(after.subgraphs.map((s: { name: string }) => s.name)).toEqual(['base']);
      expect(after.supergraph.sdl).not.toContain('double');
      const list = await rover.run(['subgraph', 'list', 'things@current']);
      expect(list.stdout).not.toContain('doubling');
    });
  });

  describe('fetching', () => {
    it('fetches a subgraph’s SDL, or names the valid subgraphs (E009), and needs the read scope', async () => {
      const run = await rover.run(['subgraph', 'fetch', 'shop@current', '--name', 'products']);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(repoSchema('products').trim());

      const missing = await rover.run(['subgraph', 'fetch', 'shop@current', '--name', 'nope']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("error[E009]: Could not find subgraph 'nope'.");
      expect(missing.stderr).toContain('[inventory, products]');

      const checkOnly = await rover.run(['subgraph', 'fetch', 'shop@current', '--name', 'products'], { key: t.keys.check });
      expect(checkOnly.code).toBe(1);
      expect(checkOnly.stderr).toContain('the API key "ci-check" lacks the read scope');
    });

    it('lists subgraphs with their routing URLs', async () => {
      const run = await rover.run(['subgraph', 'list', 'shop@current']);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/inventory\s+┆ http:\/\/127\.0\.0\.1:4003\/graphql/);
      expect(run.stdout).toMatch(/products\s+┆ http:\/\/127\.0\.0\.1:4002\/graphql/);

      const json = roverJson(await rover.run(['subgraph', 'list', 'shop@current', '--format', 'json']));
      expect(json.data.subgraphs.map((s: { name: string; url: string }) => [s.name, s.url])).toEqual([
        ['inventory', inventoryUrl],
        ['products', productsUrl],
      ]);
    });

    it('fetches the supergraph the registry serves, or lists the variants for one that does not exist (E008)', async () => {
      const run = await rover.run(['supergraph', 'fetch', 'shop@current']);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe((await supergraphOf('shop@current')).supergraph.sdl.trim());

      const missing = await rover.run(['supergraph', 'fetch', 'shop@nowhere']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("error[E008]: The graph registry does not contain variant 'nowhere' for graph 'shop'");
      expect(missing.stderr).toMatch(/The existing variants for graph shop are .*current/);
    });

    it('reports a graph ref the registry cannot read (E010) and wrong arguments (exit 2)', async () => {
      const bad = await rover.run(['subgraph', 'fetch', 'shop@current@x', '--name', 'products']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('error[E010]');

      const usage = await rover.run(['subgraph', 'fetch', 'shop@current']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain('--name <SUBGRAPH_NAME>');
    });
  });
});
