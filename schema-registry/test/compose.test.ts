import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { buildSchema, findBreakingChanges, parse, printSchema, validate } from 'graphql';
import { apiSchemaOf, composeFromConfigFile, composeSubgraphs, readSupergraphConfig, supportedSupergraphFeatures, SupergraphConfigError } from '../src';
import {
  clashingReviewsSdl,
  productsSdl,
  removeSupergraphFolders,
  repoSupergraphConfig,
  twoSubgraphConfig,
  writeSupergraph,
} from './fixtures';
import { generatedGraph } from './generated-graph';

afterAll(removeSupergraphFolders);

describe('composing a supergraph config', () => {
  it('composes the repository supergraph.yaml with every subgraph and its routing url', async () => {
    const outcome = await composeFromConfigFile(repoSupergraphConfig);

    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    expect(outcome.supergraphSdl).toContain('@join__graph(name: "users", url: "http://127.0.0.1:4001/graphql")');
    expect(outcome.supergraphSdl).toContain('@join__graph(name: "products", url: "http://127.0.0.1:4002/graphql")');
    expect(outcome.supergraphSdl).toContain('@join__graph(name: "inventory", url: "http://127.0.0.1:4003/graphql")');
  });

  it('reports a field two subgraphs resolve without @shareable with its composition code', async () => {
    const { config } = writeSupergraph({
      'supergraph.yaml': twoSubgraphConfig(),
      'products.graphql': productsSdl,
      'reviews.graphql': clashingReviewsSdl,
    });

    const outcome = await composeFromConfigFile(config);

    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.errors.map((e) => e.code)).toContain('INVALID_FIELD_SHARING');
  });

  it('reports SDL that is not GraphQL as INVALID_GRAPHQL with the subgraph, file and line', async () => {
    const { config } = writeSupergraph({
      'supergraph.yaml': twoSubgraphConfig(),
      'products.graphql': productsSdl,
      'reviews.graphql': 'type Review {\n  id: ID!\n',
    });

    const outcome = await composeFromConfigFile(config);

    expect(!outcome.ok && outcome.errors).toEqual([
      {
        code: 'INVALID_GRAPHQL',
        message: expect.stringMatching(/^\[reviews\] Syntax Error: .*reviews\.graphql:3:1\)$/),
        locations: [{ subgraph: 'reviews', line: 3, column: 1 }],
      },
    ]);
  });

  it('refuses SDL nested deeper than gateways load, and SDL nested 100,000 deep, as INVALID_GRAPHQL naming the subgraph', () => {
    const nested = (levels: number) => `type Query { a: ${'['.repeat(levels)}Int${']'.repeat(levels)} }`;
    const source = (sdl: string) => [{ name: 'deep', sdl, routingUrl: 'http://127.0.0.1:4999/deep', origin: 'deep.graphql' }];

    expect(composeSubgraphs(source(nested(31))).ok).toBe(true);
    for (const levels of [32, 100_000]) {
      const outcome = composeSubgraphs(source(nested(levels)));
      expect(!outcome.ok && outcome.errors).toEqual([
        { code: 'INVALID_GRAPHQL', message: expect.stringMatching(/^\[deep\] the SDL nests .* more than 32 levels deep \(deep\.graphql\)/), locations: [] },
      ]);
    }
  });

  it('answers a chain of 4,000 types, each reached through the one before, with COMPOSITION_FAILED instead of running out of stack', () => {
    const types = Array.from({ length: 4000 }, (_, i) => `type T${i} { id: ID! next: T${(i + 1) % 4000} }`);
    const outcome = composeSubgraphs([{ name: 'chain', sdl: ['type Query { t0: T0 }', ...types].join('\n'), routingUrl: 'http://127.0.0.1:4999/chain', origin: 'chain' }]);

    expect(!outcome.ok && outcome.errors).toEqual([{ code: 'COMPOSITION_FAILED', message: expect.stringContaining('chain too long to follow'), locations: [] }]);
  });

  it('accepts inline sdl as rover does', async () => {
    const { config } = writeSupergraph({
      'supergraph.yaml': `federation_version: 2
subgraphs:
  products:
    routing_url: http://127.0.0.1:4002/graphql
    schema:
      sdl: 'type Query { hello: String }'
`,
    });

    const outcome = await composeFromConfigFile(config);

    expect(outcome.ok).toBe(true);
  });
});

describe('composition step by step', () => {
  const asSources = (graph: { name: string; sdl: string }[]) => graph.map((s) => ({ ...s, routingUrl: `http://127.0.0.1:4999/${s.name}`, origin: s.name }));
  const byApollo = (graph: { name: string; sdl: string }[]) => {
    const result = composeServices(graph.map((s) => ({ name: s.name, url: `http://127.0.0.1:4999/${s.name}`, typeDefs: parse(s.sdl) })));
    return result.errors
      ? { errors: result.errors.map((e) => [e.extensions.code, e.message]) }
      : { supergraphSdl: result.supergraphSdl, hints: result.hints.map((h) => [h.definition.code, h.message]) };
  };
  const byUs = (graph: { name: string; sdl: string }[]) => {
    const outcome = composeSubgraphs(asSources(graph));
    return outcome.ok
      ? { supergraphSdl: outcome.supergraphSdl, hints: outcome.hints.map((h) => [h.code, h.message]) }
      : { errors: outcome.errors.map((e) => [e.code, e.message]) };
  };
  const keyed = (key: string, extra = '') => `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])
type T @key(fields: "${key}") { ${key}: ID! ${extra} }
`;

  it('gives the supergraph and hints @apollo/composition gives, for a generated graph of six subgraphs', () => {
    const graph = generatedGraph(6, 20);
    const ours = byUs(graph);
    expect(ours.supergraphSdl).toBeDefined();
    expect(ours).toEqual(byApollo(graph));
  });

  it('gives the satisfiability errors @apollo/composition gives, for a field only reachable through a key nobody can provide', () => {
    const graph = [
      { name: 'a', sdl: `${keyed('id')}\ntype Query { t: T }\n` },
      { name: 'b', sdl: keyed('upc', 'extra: String') },
    ];
    const ours = byUs(graph);
    expect(ours.errors?.map(([code]) => code)).toContain('SATISFIABILITY_ERROR');
    expect(ours).toEqual(byApollo(graph));
  });

  it('gives the merge errors and hints @apollo/composition gives', () => {
    const clash = [
      { name: 'a', sdl: `${keyed('id', 'name: String')}\ntype Query { t: T }\n` },
      { name: 'b', sdl: keyed('id', 'name: Int') },
    ];
    expect(byUs(clash).errors?.length).toBeGreaterThan(0);
    expect(byUs(clash)).toEqual(byApollo(clash));

    const hinted = [
      { name: 'a', sdl: `${keyed('id', 'name: String @shareable')}\ntype Query { t: T }\n` },
      { name: 'b', sdl: keyed('id', 'name: String! @shareable') },
    ];
    expect(byUs(hinted).hints?.length).toBeGreaterThan(0);
    expect(byUs(hinted)).toEqual(byApollo(hinted));
  });
});

describe('the API schema of a supergraph', () => {
  const composed = (sdl: string) => {
    const outcome = composeSubgraphs([{ name: 'shop', sdl, routingUrl: 'http://127.0.0.1:4999/graphql', origin: 'inline sdl' }]);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    return outcome.supergraphSdl;
  };

  it("builds from the repository's supergraph, which links the authorization features, without their directives", async () => {
    const outcome = await composeFromConfigFile(repoSupergraphConfig);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));

    expect(outcome.supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)');
    expect(outcome.supergraphSdl).toContain('@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)');
    const api = apiSchemaOf(outcome.supergraphSdl);
    expect(api.getQueryType()?.getFields().me).toBeDefined();
    expect(api.getMutationType()?.getFields().createProduct?.astNode?.directives ?? []).toEqual([]);
    expect(api.getDirective('authenticated')).toBeUndefined();
  });

  it("is the schema that federation's own conversion to graphql-js gives, built without validating its SDL a second time", async () => {
    const repository = await composeFromConfigFile(repoSupergraphConfig);
    if (!repository.ok) throw new Error(JSON.stringify(repository.errors));
    const generated = composeSubgraphs(generatedGraph(6, 40).map((s, i) => ({ ...s, routingUrl: `http://127.0.0.1:${4100 + i}/graphql`, origin: s.name })));
    if (!generated.ok) throw new Error(JSON.stringify(generated.errors));

    for (const sdl of [repository.supergraphSdl, generated.supergraphSdl]) {
      const federations = Supergraph.build(parse(sdl), { supportedFeatures: new Set(supportedSupergraphFeatures) }).apiSchema().toGraphQLJSSchema();
      expect(printSchema(apiSchemaOf(sdl))).toBe(printSchema(federations));
    }
  });

  it('keeps serving the client contract: nothing of contract/api.graphql broken, every contract operation valid', async () => {
    const outcome = await composeFromConfigFile(repoSupergraphConfig);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
    const api = apiSchemaOf(outcome.supergraphSdl);
    const contract = path.resolve(repoSupergraphConfig, '../contract');

    expect(findBreakingChanges(buildSchema(fs.readFileSync(path.join(contract, 'api.graphql'), 'utf8')), api)).toEqual([]);
    for (const file of fs.readdirSync(path.join(contract, 'operations'))) {
      expect(validate(api, parse(fs.readFileSync(path.join(contract, 'operations', file), 'utf8')))).toEqual([]);
    }
  });

  it('builds from a supergraph using @authenticated, @requiresScopes and @policy', () => {
    const sdl = composed(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@authenticated", "@requiresScopes", "@policy"])
      type Query {
        me: String @authenticated
        stock: Int @requiresScopes(scopes: [["inventory:write"]])
        margin: Int @policy(policies: [["finance"]])
      }`);

    expect(Object.keys(apiSchemaOf(sdl).getQueryType()!.getFields())).toEqual(['me', 'stock', 'margin']);
  });

  it('still refuses a SECURITY feature no gateway of ours enforces', () => {
    const sdl = composed('type Query { hello: String }').replace(
      '@link(url: "https://specs.apollo.dev/link/v1.0")',
      '@link(url: "https://specs.apollo.dev/link/v1.0")\n  @link(url: "https://specs.apollo.dev/authenticated/v0.2", for: SECURITY)',
    );

    expect(() => apiSchemaOf(sdl)).toThrow('feature https://specs.apollo.dev/authenticated/v0.2 is for: SECURITY but is unsupported');
  });
});

describe('reading a supergraph config', () => {
  const readError = (yaml: string, files: Record<string, string> = {}) =>
    readSupergraphConfig(writeSupergraph({ 'supergraph.yaml': yaml, ...files }).config).then(
      () => {
        throw new Error('expected the config to be refused');
      },
      (err: unknown) => {
        expect(err).toBeInstanceOf(SupergraphConfigError);
        return (err as Error).message;
      },
    );

  it('resolves schema files from the folder of the yaml, not the working directory', async () => {
    const config = await readSupergraphConfig(repoSupergraphConfig);

    expect(config.federationVersion).toBe('=2.14.4');
    expect(config.subgraphs.map((s) => [s.name, s.routingUrl])).toEqual([
      ['users', 'http://127.0.0.1:4001/graphql'],
      ['products', 'http://127.0.0.1:4002/graphql'],
      ['inventory', 'http://127.0.0.1:4003/graphql'],
      ['orders', 'http://127.0.0.1:4004/graphql'],
      ['payments', 'http://127.0.0.1:4005/graphql'],
      ['notifications', 'http://127.0.0.1:4006/graphql'],
      ['legacy-shop', 'http://127.0.0.1:4007/graphql'],
    ]);
    expect(config.subgraphs[0]?.sdl).toContain('type User');
  });

  it('names every bad key at once', async () => {
    const message = await readError(`federation_version: 1
subgraphs:
  users:
    routing_url: not a url
    schema:
      file: ./users.graphql
  products:
    schema:
      file: ./products.graphql
`);

    expect(message).toContain('federation_version: must be 2 or =2.x.y');
    expect(message).toContain('subgraphs.users.routing_url: must be an http(s) URL');
    expect(message).toContain('subgraphs.products.routing_url: is required');
  });

  it('says which schema sources it does not support yet', async () => {
    const message = await readError(`subgraphs:
  users:
    routing_url: http://127.0.0.1:4001/graphql
    schema:
      subgraph_url: http://127.0.0.1:4001/graphql
`);

    expect(message).toContain('subgraphs.users.schema.subgraph_url: is not supported yet');
  });

  it('names the subgraph whose schema file is missing', async () => {
    const message = await readError(twoSubgraphConfig('missing.graphql'), { 'products.graphql': productsSdl });

    expect(message).toMatch(/subgraphs\.reviews\.schema\.file: cannot read .*missing\.graphql: ENOENT/);
  });

  it('refuses a file that is not YAML', async () => {
    const message = await readError('subgraphs: [unclosed');

    expect(message).toContain('is not valid YAML');
  });
});
