import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@ficus/testkit';
import { parse, print } from 'graphql';
import pino from 'pino';
import {
  persistedQueriesCacheFile,
  readTrustedDocumentsConfig,
  TrustedDocumentOutcome,
  TrustedDocuments,
  TrustedDocumentsConfig,
} from '../src/trusted-documents';
import { graphRef, TestRegistry } from './harness/test-registry';

const repo = path.resolve(__dirname, '../..');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface ManifestOperation {
  id: string;
  name: string;
  type: string;
  body: string;
}

/**
 * Runs the real @apollo/generate-persisted-query-manifest (e2e's devDependency) over the client
 * operations of contract/operations, one file per operation as the generator requires.
 */
async function generateManifest(dir: string): Promise<{ file: string; operations: ManifestOperation[]; names: string[] }> {
  const cli = require.resolve('@apollo/generate-persisted-query-manifest/cli.js', { paths: [path.join(repo, 'e2e')] });
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  const names: string[] = [];
  for (const file of fs.readdirSync(path.join(repo, 'contract/operations'))) {
    for (const definition of parse(fs.readFileSync(path.join(repo, 'contract/operations', file), 'utf8')).definitions) {
      if (definition.kind !== 'OperationDefinition') continue;
      names.push(definition.name!.value);
      fs.writeFileSync(path.join(dir, 'src', `${definition.name!.value}.graphql`), print(definition));
    }
  }
  fs.writeFileSync(path.join(dir, 'persisted-query-manifest.config.json'), JSON.stringify({ documents: ['src/**/*.graphql'], output: 'manifest.json' }));
  await promisify(execFile)(process.execPath, [cli, '--config', 'persisted-query-manifest.config.json'], { cwd: dir });
  const file = path.join(dir, 'manifest.json');
  return { file, operations: JSON.parse(fs.readFileSync(file, 'utf8')).operations, names };
}

const byId = (id: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } });
const codeOf = (result: ReturnType<TrustedDocuments['resolve']>) =>
  result.refused ? { status: result.refused.status, code: result.refused.errors[0]!.extensions.code } : null;

/** A logger whose lines the test reads. */
function capturingLogger() {
  const lines: Record<string, any>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const config = (overrides: Partial<TrustedDocumentsConfig>): TrustedDocumentsConfig => ({
  mode: 'refuse',
  source: { kind: 'registry' },
  requireId: false,
  apq: { enabled: false, maxBytes: 1_000_000 },
  ...overrides,
});

const PUBLISH_PQ = `mutation($input: PublishPersistedQueriesInput!) { publishPersistedQueries(input: $input) { published added revision } }`;
const productNames = 'query ProductNames {\n  products(first: 5) {\n    edges {\n      node {\n        name\n      }\n    }\n  }\n}';

let registry: TestRegistry;
let dir: string;
let manifest: { file: string; operations: ManifestOperation[]; names: string[] };
const started: TrustedDocuments[] = [];

async function publish(operations: ManifestOperation[]) {
  const res = await registry.gql(PUBLISH_PQ, { input: { ref: graphRef, manifest: JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }) } });
  if (res.errors || !res.data.publishPersistedQueries.published) throw new Error(`publish failed: ${JSON.stringify(res)}`);
}

async function startStore(overrides: Partial<TrustedDocumentsConfig>, options: { cacheFile?: string | null; allowIntrospection?: boolean; onOutcome?: (o: TrustedDocumentOutcome) => void; logger?: pino.Logger } = {}) {
  const store = new TrustedDocuments({
    config: config(overrides),
    registry: { url: registry.baseUrl, apiKey: registry.key, graphRef },
    cacheFile: options.cacheFile === undefined ? persistedQueriesCacheFile(dir, graphRef) : options.cacheFile,
    logger: options.logger ?? pino({ level: 'silent' }),
    onOutcome: options.onOutcome,
    allowIntrospection: options.allowIntrospection,
    registryTimings: { retryDelayMs: { first: 50, max: 200 }, startRequestTimeoutMs: 1_000 },
  });
  started.push(store);
  await store.start();
  return store;
}

const operation = (name: string) => manifest.operations.find((o) => o.name === name)!;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ficus-trusted-documents-'));
  manifest = await generateManifest(dir);
  registry = await TestRegistry.create('trusted_documents');
  await registry.start();
  await publish(manifest.operations);
});

afterAll(async () => {
  for (const store of started) await store.stop();
  await registry?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('refuse mode, following the registry', () => {
  let store: TrustedDocuments;
  beforeAll(async () => {
    store = await startStore({ mode: 'refuse' });
  });

  it('loads the manifest the real generator made, as the registry lists it', () => {
    expect(manifest.operations.map((o) => o.name).sort()).toEqual([...manifest.names].sort());
    // The generator's own marks: Apollo Client adds __typename, and the default id is the body's sha256.
    expect(operation('Catalog').body).toContain('__typename');
    for (const listed of manifest.operations) expect(listed.id).toBe(sha256(listed.body));
    expect(store.current.operations).toBe(manifest.operations.length);
  });

  it('runs a listed operation sent by its id alone, as Apollo Client’s persisted-queries link sends it', () => {
    const catalog = operation('Catalog');
    expect(store.resolve(byId(catalog.id))).toEqual({ query: catalog.body, persistedId: catalog.id });
  });

  it('runs a listed operation sent as its full text, exactly or with whitespace, commas and comments changed', () => {
    const catalog = operation('Catalog');
    expect(store.resolve({ query: catalog.body })).toEqual({ query: catalog.body, persistedId: catalog.id });
    const reformatted = `# from an older build\n${catalog.body.replace(/\n\s*/g, ' , ')}`;
    expect(store.resolve({ query: reformatted })).toEqual({ query: reformatted, persistedId: catalog.id });
  });

  it('refuses other text with QUERY_NOT_IN_SAFELIST (403), fields reordered included', () => {
    expect(codeOf(store.resolve({ query: '{ products(first: 100) { totalCount } }' }))).toEqual({ status: 403, code: 'QUERY_NOT_IN_SAFELIST' });
    const reordered = operation('Catalog').body.replace('totalCount\n    pageInfo', 'pageInfo').replace(/(\n\s*)edges/, '$1totalCount$1edges');
    expect(reordered).not.toBe(operation('Catalog').body);
    expect(codeOf(store.resolve({ query: reordered }))).toEqual({ status: 403, code: 'QUERY_NOT_IN_SAFELIST' });
  });

  it('refuses an unknown id with PERSISTED_QUERY_NOT_IN_LIST (404), and an id with a text with CANNOT_SEND_PQ_ID_AND_BODY', () => {
    const result = store.resolve(byId(sha256('{ __typename }')));
    expect(codeOf(result)).toEqual({ status: 404, code: 'PERSISTED_QUERY_NOT_IN_LIST' });
    expect(result.refused!.headers).toEqual({ 'cache-control': 'private, no-cache, must-revalidate' });
    // The APQ registration shape: refused here, so nothing can be added to the list at run time.
    const text = '{ __typename }';
    expect(codeOf(store.resolve({ query: text, ...byId(sha256(text)) }))).toEqual({ status: 400, code: 'CANNOT_SEND_PQ_ID_AND_BODY' });
    expect(codeOf(store.resolve(byId(sha256(text))))).toEqual({ status: 404, code: 'PERSISTED_QUERY_NOT_IN_LIST' });
  });

  it('refuses malformed persisted query extensions with BAD_REQUEST', () => {
    expect(store.resolve({ extensions: { persistedQuery: { version: 2, sha256Hash: operation('Catalog').id } } }).refused!.errors[0]!.message).toBe('Unsupported persisted query version');
    expect(codeOf(store.resolve({ extensions: { persistedQuery: { version: 1, sha256Hash: 42 } } }))).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(codeOf(store.resolve({ extensions: 'not json' }))).toEqual({ status: 400, code: 'BAD_REQUEST' });
    // A GET request's extensions arrive as JSON text.
    expect(store.resolve({ extensions: JSON.stringify(byId(operation('Catalog').id).extensions) })).toMatchObject({ persistedId: operation('Catalog').id });
  });

  it('serves an operation published after start within about a second, without a restart', async () => {
    const id = sha256(productNames);
    expect(codeOf(store.resolve(byId(id)))).toEqual({ status: 404, code: 'PERSISTED_QUERY_NOT_IN_LIST' });
    const publishedAt = Date.now();
    await publish([{ id, name: 'ProductNames', type: 'query', body: productNames }]);
    await waitFor(() => !store.resolve(byId(id)).refused, { timeoutMs: 1_500, intervalMs: 10, what: 'the second publish to reach the store' });
    expect(Date.now() - publishedAt).toBeLessThan(1_500);
    expect(store.resolve({ query: productNames })).toEqual({ query: productNames, persistedId: id });
  });

  it('keeps the last list while the registry is away, and a new store starts from the cached copy', async () => {
    const cacheFile = persistedQueriesCacheFile(dir, graphRef);
    await waitFor(() => fs.existsSync(cacheFile) && JSON.parse(fs.readFileSync(cacheFile, 'utf8')).revision === 2, { what: 'the second list in the cache file' });
    await registry.stop();
    try {
      expect(store.resolve(byId(operation('Catalog').id))).toMatchObject({ persistedId: operation('Catalog').id });
      const fresh = await startStore({ mode: 'refuse' });
      expect(fresh.current.operations).toBe(manifest.operations.length + 1);
      expect(fresh.resolve(byId(sha256(productNames)))).toMatchObject({ query: productNames });
    } finally {
      await registry.start();
    }
  });

  it('with PERSISTED_QUERIES_REQUIRE_ID refuses even a listed text with PERSISTED_QUERY_ID_REQUIRED', async () => {
    const strict = await startStore({ mode: 'refuse', requireId: true });
    expect(codeOf(strict.resolve({ query: operation('Catalog').body }))).toEqual({ status: 400, code: 'PERSISTED_QUERY_ID_REQUIRED' });
    expect(strict.resolve(byId(operation('Catalog').id))).toMatchObject({ persistedId: operation('Catalog').id });
  });

  it('lets introspection-only documents through when introspection is on, and only then', async () => {
    const introspection = 'query IntrospectionQuery { __schema { queryType { name } } }';
    expect(codeOf(store.resolve({ query: introspection }))).toEqual({ status: 403, code: 'QUERY_NOT_IN_SAFELIST' });
    const open = await startStore({ mode: 'refuse' }, { allowIntrospection: true });
    expect(open.resolve({ query: introspection })).toEqual({ query: introspection, persistedId: null });
    expect(codeOf(open.resolve({ query: '{ __typename products(first: 1) { totalCount } }' }))).toEqual({ status: 403, code: 'QUERY_NOT_IN_SAFELIST' });
  });
});

describe('log mode', () => {
  it('serves operations not in the list, counting and logging each distinct one once', async () => {
    const outcomes: TrustedDocumentOutcome[] = [];
    const { logger, lines } = capturingLogger();
    const store = await startStore({ mode: 'log', apq: { enabled: true, maxBytes: 1_000_000 } }, { onOutcome: (o) => outcomes.push(o), logger });
    const unlisted = '{ products(first: 1) { totalCount } }';
    expect(store.resolve({ query: unlisted })).toEqual({ query: unlisted, persistedId: null });
    expect(store.resolve({ query: unlisted })).toEqual({ query: unlisted, persistedId: null });
    expect(store.resolve(byId(operation('SignUp').id))).toEqual({ query: operation('SignUp').body, persistedId: operation('SignUp').id });
    expect(store.resolve({ query: operation('SignUp').body })).toMatchObject({ persistedId: operation('SignUp').id });
    expect(outcomes).toEqual(['unlisted', 'unlisted', 'listed_id', 'listed_body']);
    const logged = lines.filter((l) => l.msg === 'served an operation that is not in the persisted query list');
    expect(logged).toEqual([expect.objectContaining({ operation: unlisted, sha256: sha256(unlisted), refused: false })]);
  });

  it('resolves listed ids before APQ, and unknown ids through the APQ protocol', async () => {
    const store = await startStore({ mode: 'log', apq: { enabled: true, maxBytes: 1_000_000 } });
    const text = '{ __typename }';
    expect(codeOf(store.resolve(byId(sha256(text))))).toEqual({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(store.resolve({ query: text, ...byId(sha256(text)) })).toEqual({ query: text, persistedId: null });
    expect(store.resolve(byId(sha256(text)))).toEqual({ query: text, persistedId: null });
  });

  it('without APQ answers an unknown id with PERSISTED_QUERY_NOT_IN_LIST', async () => {
    const store = await startStore({ mode: 'log' });
    expect(codeOf(store.resolve(byId(sha256('{ __typename }'))))).toEqual({ status: 404, code: 'PERSISTED_QUERY_NOT_IN_LIST' });
  });
});

describe('off mode and automatic persisted queries', () => {
  it('ignores the list: a listed id is unknown until a client registers it, any text runs', async () => {
    const outcomes: TrustedDocumentOutcome[] = [];
    const store = await startStore({ mode: 'off', apq: { enabled: true, maxBytes: 1_000_000 } }, { onOutcome: (o) => outcomes.push(o) });
    const catalog = operation('Catalog');
    expect(codeOf(store.resolve(byId(catalog.id)))).toEqual({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(store.resolve({ query: '{ anything }' })).toEqual({ query: '{ anything }', persistedId: null });
    expect(outcomes).toEqual(['refused', 'freeform']);
  });

  it('registers a query sent with its sha256 and serves it by id afterwards (the APQ round trip)', async () => {
    const outcomes: TrustedDocumentOutcome[] = [];
    const store = await startStore({ mode: 'off', apq: { enabled: true, maxBytes: 1_000_000 } }, { onOutcome: (o) => outcomes.push(o) });
    const text = operation('MyOrders').body;
    expect(codeOf(store.resolve(byId(sha256(text))))).toEqual({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(store.resolve({ query: text, ...byId(sha256(text)) })).toEqual({ query: text, persistedId: null });
    expect(store.resolve(byId(sha256(text)))).toEqual({ query: text, persistedId: null });
    expect(outcomes).toEqual(['refused', 'apq_registered', 'apq_hit']);
  });

  it('refuses a query whose sha256 is not the id sent with it, and registers nothing', async () => {
    const store = await startStore({ mode: 'off', apq: { enabled: true, maxBytes: 1_000_000 } });
    const claimed = sha256('{ harmless }');
    const result = store.resolve({ query: '{ products(first: 100) { totalCount } }', ...byId(claimed) });
    expect(codeOf(result)).toEqual({ status: 400, code: 'PERSISTED_QUERY_HASH_MISMATCH' });
    expect(result.refused!.errors[0]!.message).toBe('provided sha does not match query');
    expect(codeOf(store.resolve(byId(claimed)))).toEqual({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });
  });

  it('keeps registered queries within its size, dropping the least recently used', async () => {
    const store = await startStore({ mode: 'off', apq: { enabled: true, maxBytes: 1_000 } });
    const texts = ['a', 'b', 'c'].map((field) => `{ ${field}: __typename ${' '.repeat(400)}}`);
    for (const text of texts.slice(0, 2)) store.resolve({ query: text, ...byId(sha256(text)) });
    expect(store.resolve(byId(sha256(texts[0]!)))).toMatchObject({ query: texts[0] });
    store.resolve({ query: texts[2]!, ...byId(sha256(texts[2]!)) });
    expect(codeOf(store.resolve(byId(sha256(texts[1]!))))).toEqual({ status: 200, code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(store.resolve(byId(sha256(texts[0]!)))).toMatchObject({ query: texts[0] });
    expect(store.resolve(byId(sha256(texts[2]!)))).toMatchObject({ query: texts[2] });
  });

  it('without APQ answers an id with PERSISTED_QUERY_NOT_SUPPORTED', async () => {
    const store = await startStore({ mode: 'off' });
    expect(codeOf(store.resolve(byId(sha256('{ a }'))))).toEqual({ status: 200, code: 'PERSISTED_QUERY_NOT_SUPPORTED' });
    expect(codeOf(store.resolve({}))).toEqual({ status: 400, code: 'BAD_REQUEST' });
  });
});

describe('a local manifest file', () => {
  it('is read at start when there is no registry (PERSISTED_QUERIES_MANIFEST)', async () => {
    const fileConfig = readTrustedDocumentsConfig({ PERSISTED_QUERIES: 'refuse', PERSISTED_QUERIES_MANIFEST: manifest.file });
    const store = new TrustedDocuments({ config: fileConfig, registry: null, cacheFile: null, logger: pino({ level: 'silent' }) });
    await store.start();
    expect(store.resolve(byId(operation('PlaceOrder').id))).toEqual({ query: operation('PlaceOrder').body, persistedId: operation('PlaceOrder').id });
    expect(codeOf(store.resolve({ query: productNames }))).toEqual({ status: 403, code: 'QUERY_NOT_IN_SAFELIST' });
  });

  it('that does not read stops the start with a message naming the file and the problem', async () => {
    const bad = path.join(dir, 'bad-manifest.json');
    fs.writeFileSync(bad, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'x', name: 'X', type: 'query', body: 'query X {' }] }));
    const store = new TrustedDocuments({ config: readTrustedDocumentsConfig({ PERSISTED_QUERIES: 'log', PERSISTED_QUERIES_MANIFEST: bad }), registry: null, cacheFile: null, logger: pino({ level: 'silent' }) });
    await expect(store.start()).rejects.toThrow(`PERSISTED_QUERIES_MANIFEST ${bad} is not usable: operations[0]: body of X does not parse: Syntax Error`);
    const missing = new TrustedDocuments({ config: readTrustedDocumentsConfig({ PERSISTED_QUERIES: 'log', PERSISTED_QUERIES_MANIFEST: path.join(dir, 'nope.json') }), registry: null, cacheFile: null, logger: pino({ level: 'silent' }) });
    await expect(missing.start()).rejects.toThrow(/PERSISTED_QUERIES_MANIFEST: cannot read .*nope\.json: ENOENT/);
  });
});

describe('configuration', () => {
  it('defaults to off, with APQ on outside production', () => {
    expect(readTrustedDocumentsConfig({})).toEqual({ mode: 'off', source: { kind: 'none' }, requireId: false, apq: { enabled: true, maxBytes: 16_000_000 } });
    expect(readTrustedDocumentsConfig({ NODE_ENV: 'production' }).apq.enabled).toBe(false);
    expect(readTrustedDocumentsConfig({ PERSISTED_QUERIES: 'refuse', FICUS_REGISTRY_URL: 'http://127.0.0.1:4100' })).toMatchObject({ source: { kind: 'registry' }, apq: { enabled: false } });
    expect(readTrustedDocumentsConfig({ PERSISTED_QUERIES: 'log', FICUS_REGISTRY_URL: 'http://127.0.0.1:4100', NODE_ENV: 'production', APQ: 'on' }).apq.enabled).toBe(true);
  });

  it('reports every bad variable and combination at once', () => {
    expect(() => readTrustedDocumentsConfig({ PERSISTED_QUERIES: 'strict' })).toThrow(/PERSISTED_QUERIES: Invalid option/);
    let problems: string[] = [];
    try {
      readTrustedDocumentsConfig({ PERSISTED_QUERIES: 'refuse', APQ: 'on', PERSISTED_QUERIES_MANIFEST: 'm.json', FICUS_REGISTRY_URL: 'http://127.0.0.1:4100' });
    } catch (err) {
      problems = (err as { problems: string[] }).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^PERSISTED_QUERIES_MANIFEST, FICUS_REGISTRY_URL: set one of them/),
      expect.stringMatching(/^APQ: on cannot go with PERSISTED_QUERIES=refuse/),
    ]);
    expect(() => readTrustedDocumentsConfig({ PERSISTED_QUERIES: 'log' })).toThrow(/PERSISTED_QUERIES: log needs a list: set FICUS_REGISTRY_URL or PERSISTED_QUERIES_MANIFEST/);
    expect(() => readTrustedDocumentsConfig({ PERSISTED_QUERIES_REQUIRE_ID: 'true' })).toThrow(/PERSISTED_QUERIES_REQUIRE_ID: only with PERSISTED_QUERIES=refuse/);
  });
});
