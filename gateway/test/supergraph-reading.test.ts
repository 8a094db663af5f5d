import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES } from '@apollo/federation-internals';
import { QueryPlanner } from '@graphql-hive/router-query-planner';
import { composeFromConfigFile } from '@ficus/schema-registry';
import { lexicographicSortSchema, parse, printSchema } from 'graphql';
import { build, readGatewayConfig } from '../src';
import { authorizationFeatures } from '../src/authorization';
import { apiSchemaOf } from '../src/engine/ficus/api-schema';
import { subgraphUrlsOf } from '../src/engine/ficus/subgraph-urls';
import { servedFeatures } from '../src/engine/served-features';
import { readSupergraph } from '../src/engine/supergraph-schemas';
import { Gate, startAccountsSubgraph, startReviewsSubgraph } from './harness/shop-subgraphs';
import { writeSupergraphConfig } from './harness/test-gateway';
import type { TestSubgraph } from './harness/test-subgraph';

const main = path.resolve(__dirname, '../dist/src/index.js');
const printed = (schema: Parameters<typeof lexicographicSortSchema>[0]) => printSchema(lexicographicSortSchema(schema));

let commerceSdl: string;
let subgraphs: TestSubgraph[] = [];
let shopSdl: string;
let dir: string;

beforeAll(async () => {
  const commerce = await composeFromConfigFile(path.resolve(__dirname, '../../supergraph.yaml'));
  if (!commerce.ok) throw new Error(JSON.stringify(commerce.errors));
  commerceSdl = commerce.supergraphSdl;
  subgraphs = await Promise.all([startAccountsSubgraph(new Gate()), startReviewsSubgraph()]);
  const written = writeSupergraphConfig(subgraphs);
  dir = written.dir;
  const shop = await composeFromConfigFile(written.config);
  if (!shop.ok) throw new Error(JSON.stringify(shop.errors));
  shopSdl = shop.supergraphSdl;
});

afterAll(async () => {
  await Promise.all(subgraphs.map((s) => s.stop()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the Ficus engine reading a supergraph without @apollo/federation-internals', () => {
  it('derives from Hive’s consumer schema the API schema Apollo derives, printed and sorted', () => {
    for (const sdl of [commerceSdl, shopSdl]) {
      const apollo = readSupergraph(sdl).apiGraphQLSchema;
      const ours = apiSchemaOf(new QueryPlanner(sdl));

      expect(printed(ours)).toEqual(printed(apollo));
      expect(ours.getDirective('defer')).toBeDefined();
      expect(ours.getQueryType()?.getFields().__schema).toBeUndefined();
    }
  });

  it('reads the routing URL of every subgraph Apollo reads', () => {
    for (const sdl of [commerceSdl, shopSdl]) {
      const apollo = new Map(readSupergraph(sdl).supergraph.subgraphsMetadata().map(({ name, url }) => [name, url]));

      expect(subgraphUrlsOf(parse(sdl))).toEqual(apollo);
    }
    expect(subgraphUrlsOf(parse(commerceSdl)).get('legacy-shop')).toBe('http://127.0.0.1:4007/graphql');
  });

  it('serves the features @apollo/gateway serves, and the three authorization features', () => {
    expect([...servedFeatures].sort()).toEqual([...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, ...authorizationFeatures].sort());
  });

  it('refuses to start on a supergraph linking an EXECUTION feature no engine implements, as @apollo/gateway does, and a schema that is no supergraph', async () => {
    const sdl = shopSdl.replace(/^schema\n/m, 'schema\n  @link(url: "https://specs.apollo.dev/source/v0.1", for: EXECUTION)\n');
    const file = path.join(dir, 'unserved.graphql');
    fs.writeFileSync(file, sdl);
    const unsupported = /feature https:\/\/specs\.apollo\.dev\/source\/v0\.1 is for: EXECUTION but is unsupported/;

    expect(() => readSupergraph(sdl)).toThrow(unsupported);
    await expect(build(readGatewayConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', SUPERGRAPH_FILE: file }))).rejects.toThrow(unsupported);
    // Hive's planner plans a plain schema, or a supergraph of no subgraph: the engine refuses them first.
    for (const [text, reason] of [
      ['type Query { a: Int }', /not a core schema/],
      [shopSdl.replace(/enum join__Graph \{[^}]*\}/, 'enum join__Graph { NONE }'), /names no subgraph/],
    ] as const) {
      fs.writeFileSync(file, text);
      await expect(build(readGatewayConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', SUPERGRAPH_FILE: file }))).rejects.toThrow(reason);
    }
  });

  it('loads @apollo/federation-internals on the first deferred operation, not before', async () => {
    const file = path.join(dir, 'shop.graphql');
    fs.writeFileSync(file, shopSdl);
    // A process of its own: the test runner's module registry is not the gateway's.
    const script = `
      const { build, readGatewayConfig } = require(${JSON.stringify(main)});
      const loaded = () => Object.keys(require.cache).some((file) => file.includes('@apollo/federation-internals'));
      const post = (url, query, accept) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ query }) }).then((r) => r.text());
      (async () => {
        const gateway = await build(readGatewayConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', SUPERGRAPH_FILE: ${JSON.stringify(file)} }));
        const plain = await post(gateway.url, '{ user(id: "u1") { name reviews { body } } }', 'application/json');
        const beforeDefer = loaded();
        const deferred = await post(gateway.url, '{ user(id: "u1") { name ... @defer { reviews { body } } } }', 'multipart/mixed;deferSpec=20220824, application/json');
        console.log(JSON.stringify({ plain, beforeDefer, deferred, afterDefer: loaded() }));
        await gateway.stop();
      })();
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { timeout: 30_000 });
    const outcome = JSON.parse(stdout) as { plain: string; beforeDefer: boolean; deferred: string; afterDefer: boolean };

    expect(JSON.parse(outcome.plain).data.user.name).toBeTruthy();
    expect(outcome.beforeDefer).toBe(false);
    expect(outcome.deferred).toContain('"hasNext":false');
    expect(outcome.deferred).toContain('"incremental"');
    expect(outcome.afterDefer).toBe(true);
  });
});
