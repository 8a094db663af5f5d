import { createHash } from 'node:crypto';
import path from 'node:path';
import { ficus, ScratchFolder, startRegistryForCli } from './cli-harness';
import { contractOperation, TestRegistry } from './registry-harness';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const listed = (name: string, type = 'query', body = contractOperation(name)) => ({ id: sha256(body), name, type, body });
const manifestOf = (operations: unknown[]) => JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations });

let t: TestRegistry;
let env: Record<string, string>;
const scratch = new ScratchFolder('ficus-pq-cli-');
const { dir, file } = scratch;

beforeAll(async () => {
  t = await startRegistryForCli('persisted_queries_cli');
  env = { FICUS_REGISTRY_URL: t.registry.baseUrl, FICUS_API_KEY: t.keys.publish };
});

afterAll(async () => {
  await t?.stop();
  scratch.remove();
});

describe('ficus persisted-queries publish', () => {
  it('publishes a manifest, exits 0 and says how many operations were added', async () => {
    const manifest = file('first.json', manifestOf([listed('Catalog'), listed('SignUp', 'mutation')]));
    const run = await ficus(['persisted-queries', 'publish', 'shop@current', '--manifest', manifest], env);
    expect(run).toMatchObject({ code: 0, stdout: `Published ${manifest} to shop@current's persisted query list (revision 1): 2 added, 0 identical; 2 operation(s) in the list\n` });
  });

  it('says the list is unchanged when every operation is already listed, reading the manifest from stdin with -', async () => {
    const run = await ficus(['persisted-queries', 'publish', 'shop@current', '--manifest', '-'], env, manifestOf([listed('Catalog')]));
    expect(run).toMatchObject({ code: 0, stdout: "shop@current's persisted query list is unchanged (revision 1): 1 operation(s) of the manifest, 0 added, 1 identical; 2 operation(s) in the list\n" });
  });

  it('prints the result in rover’s JSON envelope with --format json', async () => {
    const run = await ficus(['persisted-queries', 'publish', 'shop@current', '--manifest', '-', '--format', 'json'], env, manifestOf([listed('MyOrders')]));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      json_version: '1',
      data: { success: true, published: true, unchanged: false, added: 1, identical: 0, total: 3, revision: 2, conflicts: [] },
      error: null,
    });
  });

  it('refuses with exit 1 an id already listed with another body, naming it', async () => {
    const first = await ficus(['persisted-queries', 'publish', 'shop@current', '--manifest', '-'], env, manifestOf([{ ...listed('Catalog'), id: 'catalog-v1' }]));
    expect(first.code).toBe(0);
    const changed = { id: 'catalog-v1', name: 'Catalog', type: 'query', body: 'query Catalog { products(first: 1) { totalCount } }' };
    const run = await ficus(['persisted-queries', 'publish', 'shop@current', '--manifest', '-'], env, manifestOf([changed]));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "error: publish refused: 1 operation id(s) already in shop@current's persisted query list with another body: catalog-v1 (Catalog); a changed operation needs a new id (the default sha256 ids give it one)\n",
    );
  });

  it('refuses an invalid manifest with exit 1 before calling the registry', async () => {
    const run = await ficus(['persisted-queries', 'publish', 'shop@current', '--manifest', file('bad.json', '{"format":"apollo-persisted-query-manifest","version":3,"operations":[]}')], {
      ...env,
      FICUS_REGISTRY_URL: 'http://127.0.0.1:9',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: BAD_USER_INPUT: .*bad\.json: invalid manifest: version must be 1, not 3\n$/);
  });

  it('exits 2 without --manifest or for another manifest format, and 1 for a missing file and a key without the publish scope', async () => {
    const missing = await ficus(['persisted-queries', 'publish', 'shop@current'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: --manifest <file\|-> is required\n\nUsage: ficus persisted-queries publish/);

    const unreadable = await ficus(['persisted-queries', 'publish', 'shop@current', '--manifest', path.join(dir, 'nope.json')], env);
    expect(unreadable).toMatchObject({ code: 1, stderr: `error: cannot read manifest ${path.join(dir, 'nope.json')}: ENOENT\n` });

    const relay = await ficus(['persisted-queries', 'publish', 'shop@current', '--manifest', '-', '--manifest-format', 'relay'], env);
    expect(relay.code).toBe(2);
    expect(relay.stderr).toMatch(/^error: --manifest-format must be apollo/);

    const forbidden = await ficus(['persisted-queries', 'publish', 'shop@current', '--manifest', '-'], { ...env, FICUS_API_KEY: t.keys.read }, manifestOf([listed('Catalog')]));
    expect(forbidden).toMatchObject({ code: 1, stderr: 'error: FORBIDDEN: the API key "ci-read" lacks the publish scope\n' });
  });
});
