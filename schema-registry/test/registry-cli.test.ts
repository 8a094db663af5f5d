import fs from 'node:fs';
import path from 'node:path';
import { createTestDatabase, freePort, TestDatabase } from '@ficus/testkit';
import { apiSchemaOf } from '../src';
import { ficus, ScratchFolder, startRegistryForCli } from './cli-harness';
import { contractOperation, coordinatesOf, productsWithoutSku, repoSchema, reportUsage, TestRegistry } from './registry-harness';

let t: TestRegistry;
let env: Record<string, string>;
const scratch = new ScratchFolder('ficus-cli-');
const { dir, file } = scratch;

beforeAll(async () => {
  t = await startRegistryForCli('registry_cli');
  env = { FICUS_REGISTRY_URL: t.registry.baseUrl, FICUS_API_KEY: t.keys.all };
});

afterAll(async () => {
  await t?.stop();
  scratch.remove();
});

describe('ficus subgraph publish', () => {
  it('publishes, exits 0 and says which supergraph it made', async () => {
    const run = await ficus(
      ['subgraph', 'publish', 'shop@current', '--name', 'products', '--schema', path.resolve(__dirname, '../../subgraphs/products/schema.graphql'), '--routing-url', 'http://127.0.0.1:4002/graphql'],
      env,
    );
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/Published subgraph "products" to shop@current as ci-all; supergraph [0-9a-f]{64}/) });
  });

  it('reads the schema from stdin with --schema -', async () => {
    const run = await ficus(['subgraph', 'publish', 'shop@current', '--name', 'inventory', '--schema', '-', '--routing-url', 'http://127.0.0.1:4003/graphql'], env, repoSchema('inventory'));
    expect(run.code).toBe(0);
  });

  it('refuses what does not compose with exit 1 and the composition codes', async () => {
    const clash = file('clash.graphql', 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])\ntype Product @key(fields: "id") { id: ID! name: String! }\n');
    const run = await ficus(['subgraph', 'publish', 'shop@current', '--name', 'reviews', '--schema', clash, '--routing-url', 'http://127.0.0.1:4010/graphql'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('INVALID_FIELD_SHARING');
    expect(run.stderr).toMatch(/^error: publish refused: shop@current does not compose/m);

    const json = await ficus(['subgraph', 'publish', 'shop@current', '--name', 'reviews', '--schema', clash, '--routing-url', 'http://127.0.0.1:4010/graphql', '--format', 'json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      json_version: '1',
      data: { success: false, published: false, compositionErrors: [expect.objectContaining({ code: 'INVALID_FIELD_SHARING' })] },
      error: { message: expect.stringContaining('publish refused: shop@current does not compose'), code: 'COMPOSITION_FAILED' },
    });
  });
});

describe('ficus subgraph check', () => {
  beforeAll(async () => {
    const sdl = (await t.gql(`{ variant(ref: "shop@current") { supergraph { sdl } } }`)).data.variant.supergraph.sdl;
    const signature = contractOperation('Catalog');
    const sent = await reportUsage(t, 'shop@current', [
      { signature, operationName: 'Catalog', clientName: 'storefront', clientVersion: '1.4.0', coordinates: coordinatesOf(signature, apiSchemaOf(sdl)), count: 42 },
    ]);
    expect(sent.status).toBe(202);
  });

  it('fails the removal of Product.sku with exit 1, naming the Catalog operation and its client', async () => {
    const run = await ficus(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', file('no-sku.graphql', productsWithoutSku())], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED');
    expect(run.stdout).toMatch(/BREAKING\s+FIELD_REMOVED\s+Product\.sku/);
    expect(run.stdout).toContain('used by operation Catalog (42 requests; storefront 1.4.0: 42)');
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: check failed: 1 breaking change\(s\): FIELD_REMOVED Product\.sku \(used by Catalog by storefront 1\.4\.0\)/)]);

    const json = await ficus(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', file('no-sku.graphql', productsWithoutSku()), '--format', 'json'], env);
    expect(json).toMatchObject({ code: 1, stderr: '' });
    expect(JSON.parse(json.stdout)).toMatchObject({
      json_version: '1',
      data: { success: false, passed: false },
      error: { message: expect.stringMatching(/^check failed: 1 breaking change/), code: 'CHECK_FAILED' },
    });
  });

  it('passes with exit 0 when the client using it is excluded', async () => {
    const run = await ficus(
      ['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', file('no-sku.graphql', productsWithoutSku()), '--exclude-client', 'storefront'],
      env,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('PASSED');
  });

  it('passes with exit 0 below --query-count-threshold, and prints rover’s JSON envelope with --format json', async () => {
    const run = await ficus(
      ['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', file('no-sku.graphql', productsWithoutSku()), '--query-count-threshold', '100', '--validation-period', '24h', '--format', 'json'],
      env,
    );
    expect(run.code).toBe(0);
    const { json_version, data: report, error } = JSON.parse(run.stdout);
    expect({ json_version, error }).toEqual({ json_version: '1', error: null });
    expect(report).toMatchObject({ success: true, passed: true, usage: { queryCountThreshold: 100, validationPeriod: '1d' } });
    expect(report.changes).toContainEqual(expect.objectContaining({ code: 'FIELD_REMOVED', coordinate: 'Product.sku', blocking: false }));
  });

  it('exits 2 with the usage for a missing option or a bad threshold', async () => {
    const missing = await ficus(['subgraph', 'check', 'shop@current', '--schema', 'x.graphql'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('error: --name <subgraph> is required');
    const bad = await ficus(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', file('p.graphql', repoSchema('products')), '--query-count-threshold', 'many'], env);
    expect(bad.code).toBe(2);
  });

  it('exits 1 with one line when the key is missing or lacks the scope, and names the code in JSON', async () => {
    const schema = file('p.graphql', repoSchema('products'));
    const anonymous = await ficus(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema], { FICUS_REGISTRY_URL: t.registry.baseUrl });
    expect(anonymous).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: UNAUTHENTICATED: an API key is required.*\n$/) });
    const reader = await ficus(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema], { ...env, FICUS_API_KEY: t.keys.read });
    expect(reader).toMatchObject({ code: 1, stderr: expect.stringContaining('FORBIDDEN') });
    const json = await ficus(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema, '--format', 'json'], { ...env, FICUS_API_KEY: t.keys.read });
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toEqual({
      json_version: '1',
      data: { success: false },
      error: { message: expect.stringContaining('lacks the check scope'), code: 'FORBIDDEN' },
    });
  });

  it('exits 1 with one line when the registry is down', async () => {
    const port = await freePort();
    const run = await ficus(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', file('p.graphql', repoSchema('products'))], {
      ...env,
      FICUS_REGISTRY_URL: `http://127.0.0.1:${port}`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: cannot reach the registry at http://127.0.0.1:${port}: ECONNREFUSED\n`);
  });
});

describe('ficus subgraph fetch and supergraph fetch', () => {
  it('print the published subgraph SDL and the latest supergraph', async () => {
    const subgraph = await ficus(['subgraph', 'fetch', 'shop@current', '--name', 'products'], env);
    expect(subgraph).toMatchObject({ code: 0, stdout: repoSchema('products').endsWith('\n') ? repoSchema('products') : `${repoSchema('products')}\n` });
    const supergraph = await ficus(['supergraph', 'fetch', 'shop@current', '--format', 'json'], env);
    expect(supergraph.code).toBe(0);
    expect(JSON.parse(supergraph.stdout)).toMatchObject({
      json_version: '1',
      data: { success: true, id: expect.stringMatching(/^[0-9a-f]{64}$/), sdl: expect.stringContaining('join__Graph') },
      error: null,
    });
  });

  it('list the subgraphs of a variant with their routing URLs, and exit 1 for a variant nothing is published to', async () => {
    const listed = await ficus(['subgraph', 'list', 'shop@current'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^NAME\s+ROUTING URL\s+LAST PUBLISHED\s+BY$/);
    expect(listed.stdout).toMatch(/^inventory\s+http:\/\/127\.0\.0\.1:4003\/graphql\s+\S+\s+ci-all$/m);
    expect(listed.stdout).toMatch(/^products\s+http:\/\/127\.0\.0\.1:4002\/graphql\s+\S+\s+ci-all$/m);
    const json = JSON.parse((await ficus(['subgraph', 'list', 'shop@current', '--format', 'json'], env)).stdout);
    expect(json.data.subgraphs.map((s: { name: string; routingUrl: string }) => [s.name, s.routingUrl])).toEqual([
      ['inventory', 'http://127.0.0.1:4003/graphql'],
      ['products', 'http://127.0.0.1:4002/graphql'],
    ]);
    expect(await ficus(['subgraph', 'list', 'shop@nothing'], env)).toMatchObject({ code: 1, stderr: 'error: nothing is published to shop@nothing\n' });
  });

  it('exit 1 for a subgraph that was never published', async () => {
    const run = await ficus(['subgraph', 'fetch', 'shop@current', '--name', 'reviews'], env);
    expect(run).toMatchObject({ code: 1, stderr: 'error: no subgraph "reviews" is published to shop@current\n' });
    const json = await ficus(['subgraph', 'fetch', 'shop@current', '--name', 'reviews', '--format=json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ json_version: '1', data: { success: false }, error: { message: 'no subgraph "reviews" is published to shop@current', code: 'NOT_FOUND' } });
  });
});

describe('ficus subgraph delete', () => {
  const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@requires"])\n';
  const base = `${link}type Query { things: [Thing!]! }\ntype Thing @key(fields: "id") { id: ID! size: Int }\n`;
  // Needs base: Thing.size is external here and provided only there.
  const doubling = `${link}type Thing @key(fields: "id") { id: ID! size: Int @external double: Int @requires(fields: "size") }\n`;
  const subgraphsOf = async (ref: string) =>
    ((await t.gql('query ($ref: String!) { variant(ref: $ref) { subgraphs { name } supergraph { sdl } } }', { ref })).data.variant as { subgraphs: { name: string }[]; supergraph: { sdl: string } });

  beforeAll(async () => {
    for (const [name, sdl] of [['base', base], ['doubling', doubling]] as const) {
      const run = await ficus(['subgraph', 'publish', 'things@current', '--name', name, '--schema', file(`${name}.graphql`, sdl), '--routing-url', `http://127.0.0.1:4020/${name}`], env);
      expect(run.code).toBe(0);
    }
  });

  it('refuses, dry run or not, to take out a subgraph the others need, with exit 1 and the composition codes, and changes nothing', async () => {
    for (const extra of [['--dry-run'], []]) {
      const run = await ficus(['subgraph', 'delete', 'things@current', '--name', 'base', ...extra], env);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('EXTERNAL_MISSING_ON_BASE');
      expect(run.stderr).toMatch(/^error: (delete refused: )?things@current does not compose without "base"/m);
    }
    expect((await subgraphsOf('things@current')).subgraphs.map((s) => s.name)).toEqual(['base', 'doubling']);
  });

  it('says with --dry-run that the variant composes without a subgraph, and deletes nothing', async () => {
    const run = await ficus(['subgraph', 'delete', 'things@current', '--name', 'doubling', '--dry-run'], env);
    expect(run).toMatchObject({ code: 0, stdout: 'things@current composes without subgraph "doubling"; nothing was changed (--dry-run)\n' });
    expect((await subgraphsOf('things@current')).subgraphs.map((s) => s.name)).toEqual(['base', 'doubling']);
  });

  it('deletes a subgraph the others compose without, exits 0, and the new supergraph no longer has its fields', async () => {
    const run = await ficus(['subgraph', 'delete', 'things@current', '--name', 'doubling'], env);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Deleted subgraph "doubling" from things@current; supergraph [0-9a-f]{64}\n$/) });
    const variant = await subgraphsOf('things@current');
    expect(variant.subgraphs.map((s) => s.name)).toEqual(['base']);
    expect(variant.supergraph.sdl).not.toContain('double');
    expect(variant.supergraph.sdl).toContain('size: Int');
    const audit = await t.gql('{ auditLog(action: "subgraph.delete") { subject outcome actor } }', {}, t.keys.admin);
    // The refused attempts are in the log too (a dry run is not).
    expect(audit.data.auditLog).toEqual([
      { subject: 'doubling', outcome: 'deleted', actor: 'ci-all' },
      { subject: 'base', outcome: 'refused', actor: 'ci-all' },
    ]);
  });

  it('exits 1 for the only subgraph of a variant and for a subgraph that is not published', async () => {
    expect((await ficus(['subgraph', 'publish', 'single@current', '--name', 'base', '--schema', file('single.graphql', base), '--routing-url', 'http://127.0.0.1:4020/base'], env)).code).toBe(0);
    const only = await ficus(['subgraph', 'delete', 'single@current', '--name', 'base'], env);
    expect(only).toMatchObject({ code: 1, stderr: 'error: BAD_USER_INPUT: "base" is the only subgraph of single@current: a variant keeps at least one\n' });
    const ghost = await ficus(['subgraph', 'delete', 'things@current', '--name', 'ghost', '--format', 'json'], env);
    expect(ghost.code).toBe(1);
    expect(JSON.parse(ghost.stdout)).toEqual({ json_version: '1', data: { success: false }, error: { message: 'NOT_FOUND: no subgraph "ghost" is published to things@current', code: 'NOT_FOUND' } });
  });
});

describe('ficus key create', () => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  it('writes a key to the database named by the registry config and prints it once', async () => {
    db = await createTestDatabase('sqlite', 'keys');
    const target = db.target as { path: string };
    const run = await ficus(['key', 'create', '--name', 'ci', '--scope', 'check', '--scope', 'read'], { DATABASE_URL: `file:${target.path}` });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ficus_[\w-]{43}\n$/);
    expect(fs.readFileSync(target.path).includes(Buffer.from(run.stdout.trim()))).toBe(false);
  });

  it('exits 1 for an unknown scope', async () => {
    const run = await ficus(['key', 'create', '--name', 'ci', '--scope', 'root'], { DATABASE_URL: `file:${path.join(dir, 'k.sqlite')}` });
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown scope root') });
  });
});

describe('ficus subgraph introspect', () => {
  it("prints a running subgraph's _service { sdl }, and exits 1 when nothing answers", async () => {
    const http = await import('node:http');
    const server = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { _service: { sdl: 'type Query { hello: String }' } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const run = await ficus(['subgraph', 'introspect', `http://127.0.0.1:${port}/graphql`], {});
      expect(run).toMatchObject({ code: 0, stdout: 'type Query { hello: String }\n' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const down = await ficus(['subgraph', 'introspect', `http://127.0.0.1:${port}/graphql`], {});
    expect(down).toMatchObject({ code: 1, stderr: expect.stringContaining('cannot reach the subgraph') });
  });
});

describe('ficus against a server that is not a registry, or a key it cannot send', () => {
  /** A local HTTP server answering every request with `answer` (or never, when it is null). */
  const serving = async (answer: string | null, run: (url: string) => Promise<void>) => {
    const http = await import('node:http');
    const server = http.createServer((_req, res) => {
      if (answer === null) return;
      res.setHeader('content-type', 'application/json');
      res.end(answer);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      await run(url);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  };
  const schema = () => file('probe.graphql', repoSchema('products'));

  it('exits 1 with one line, and a JSON envelope with --format json, when the answer lacks what was asked for', async () => {
    await serving(JSON.stringify({ data: { weird: 1 } }), async (url) => {
      const runs = [
        ['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema()],
        ['subgraph', 'publish', 'shop@current', '--name', 'products', '--schema', schema(), '--routing-url', 'http://127.0.0.1:4002/graphql'],
        ['subgraph', 'fetch', 'shop@current', '--name', 'products'],
        ['key', 'list'],
      ];
      for (const args of runs) {
        const run = await ficus(args, { ...env, FICUS_REGISTRY_URL: url });
        expect(run).toMatchObject({ code: 1, stderr: expect.stringMatching(new RegExp(`^error: the registry at ${url} answered 200 without \\w+ in its data: is it a Ficus registry\\?\\n$`)) });
      }
      const json = await ficus(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema(), '--format', 'json'], { ...env, FICUS_REGISTRY_URL: url });
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ data: { success: false }, error: { code: 'REGISTRY_UNREACHABLE' } });
    });
  });

  it('gives up on a server that accepts the request and never answers, after FICUS_CLIENT_TIMEOUT', async () => {
    await serving(null, async (url) => {
      const started = Date.now();
      const run = await ficus(['subgraph', 'check', 'shop@current', '--name', 'products', '--schema', schema()], { ...env, FICUS_REGISTRY_URL: url, FICUS_CLIENT_TIMEOUT: '0.5' });
      expect(run).toMatchObject({ code: 1, stderr: `error: the registry at ${url} did not answer within 0.5 s (FICUS_CLIENT_TIMEOUT)\n` });
      expect(Date.now() - started).toBeLessThan(10_000);
      const introspect = await ficus(['subgraph', 'introspect', `${url}/graphql`], { FICUS_CLIENT_TIMEOUT: '0.5' });
      expect(introspect).toMatchObject({ code: 1, stderr: expect.stringContaining('did not answer within 0.5 s') });
    });
    const bad = await ficus(['subgraph', 'fetch', 'shop@current', '--name', 'products'], { ...env, FICUS_CLIENT_TIMEOUT: 'soon' });
    expect(bad).toMatchObject({ code: 1, stderr: 'error: FICUS_CLIENT_TIMEOUT "soon" is not a number of seconds between 0 and 86400\n' });
  });

  it('refuses a key with a line break in it without printing the key', async () => {
    const key = `${t.keys.all}\r\nx-injected: 1`;
    const run = await ficus(['subgraph', 'fetch', 'shop@current', '--name', 'products', '--format', 'json'], { ...env, FICUS_API_KEY: key });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'CONFIG_INVALID', message: expect.stringContaining('FICUS_API_KEY holds a character') } });
    expect(run.stdout + run.stderr).not.toContain(t.keys.all);
  });
});
