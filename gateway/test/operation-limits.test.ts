import fs from 'node:fs';
import path from 'node:path';
import { apiSchemaOf, composeFromConfigFile } from '@ficus/schema-registry';
import { ConfigError } from '@ficus/kit';
import { DocumentNode, GraphQLSchema, Kind, parse, validate } from 'graphql';
import { exceededLimits, measureOperation, OperationLimits, parseWithinLimits, readSafetyConfig } from '../src/safety';

const repo = path.resolve(__dirname, '../..');
const contractOperations = parse(
  ['storefront.graphql', 'admin.graphql'].map((file) => fs.readFileSync(path.join(repo, 'contract/operations', file), 'utf8')).join('\n'),
);
const contractNames = contractOperations.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));
const defaults = readSafetyConfig({});
const unlimited: OperationLimits = { maxDepth: null, maxHeight: null, maxAliases: null, maxRootFields: null, maxDirectivesPerField: null };

let apiSchema: GraphQLSchema;

beforeAll(async () => {
  const outcome = await composeFromConfigFile(path.join(repo, 'supergraph.yaml'));
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  apiSchema = apiSchemaOf(outcome.supergraphSdl);
});

const parsed = (query: string): DocumentNode => {
  const outcome = parseWithinLimits(query, defaults.lexical);
  if (!outcome.document) throw new Error(outcome.violation.message);
  return outcome.document;
};

/** `me { orders { edges { node { customer { orders … } } } } }`, `levels` fields deep, ending in `id`. */
function nestedQuery(levels: number): string {
  const cycle = ['orders', 'edges', 'node', 'customer'];
  const fields = ['me'];
  while (fields.length < levels - 1) fields.push(cycle[(fields.length - 1) % cycle.length]!);
  const last = fields.at(-1);
  const leaf = last === 'edges' ? 'cursor' : last === 'orders' ? 'totalCount' : 'id';
  return `query Deep { ${fields.join(' { ')} { ${leaf} ${'}'.repeat(fields.length)} }`;
}

describe('measuring an operation', () => {
  it('measures the storefront and admin operations well within the default limits', () => {
    const measures = Object.fromEntries(contractNames.map((name) => [name, measureOperation(contractOperations, name)]));

    expect(measures.MyOrders).toEqual({ depth: 7, height: 25, aliases: 0, rootFields: 1, directivesPerField: 0 });
    expect(measures.Catalog).toEqual({ depth: 5, height: 18, aliases: 0, rootFields: 1, directivesPerField: 0 });
    for (const name of contractNames) expect(exceededLimits(measures[name]!, defaults.limits)).toEqual([]);
  });

  it('refuses a 20-level nested query with the default MAX_DEPTH', () => {
    const document = parsed(nestedQuery(20));
    expect(validate(apiSchema, document)).toEqual([]);

    expect(measureOperation(document, 'Deep').depth).toBe(20);
    expect(exceededLimits(measureOperation(document, 'Deep'), defaults.limits)).toEqual([
      { code: 'MAX_DEPTH_LIMIT', measured: 20, limit: 12, message: 'Maximum depth limit exceeded in this operation: depth 20, MAX_DEPTH 12' },
    ]);
  });

  it('counts depth through fragment spreads and inline fragments as Router does', () => {
    const document = parsed(`
      query Q { me { ...withOrders } }
      fragment withOrders on User { orders { ... on OrderConnection { totalCount } } }
    `);

    expect(measureOperation(document, 'Q').depth).toBe(3);
  });

  it('counts a response name once per selection set for height, and fields of fragments too', () => {
    const document = parsed(`
      query Q { me { id } me { name } ...f }
      fragment f on Query { product(id: 1) { id } }
    `);

    expect(measureOperation(document, 'Q').height).toBe(5);
  });

  it('counts aliases in every selection set and fragment', () => {
    const document = parsed(`
      query Q { a: me { b: id ...f } }
      fragment f on User { c: name d: email }
    `);

    expect(measureOperation(document, 'Q').aliases).toBe(4);
  });

  it('counts root fields reached through fragments and inline fragments', () => {
    const document = parsed(`
      query Q { me { id } ... on Query { a: product(id: 1) { id } } ...roots }
      fragment roots on Query { b: product(id: 2) { id } c: order(id: 3) { id } }
    `);

    expect(measureOperation(document, 'Q').rootFields).toBe(4);
  });

  it('finds the most directives on one field, fragment spread or inline fragment', () => {
    const document = parsed(`
      query Q($t: Boolean!) @a { me @skip(if: $t) @include(if: true) { id @a @b @c } ...f @x @y @z @w }
      fragment f on Query { product(id: 1) { id } }
    `);

    expect(measureOperation(document, 'Q').directivesPerField).toBe(4);
  });

  it('measures the operation operationName selects, and zero when it selects none', () => {
    const document = parsed('query A { me { id } } query B { me { orders { totalCount } } }');

    expect(measureOperation(document, 'A').depth).toBe(2);
    expect(measureOperation(document, 'B').depth).toBe(3);
    expect(measureOperation(document, 'C').depth).toBe(0);
    expect(measureOperation(document).depth).toBe(0);
    expect(measureOperation(parsed('{ me { id } }')).depth).toBe(2);
  });

  it('measures a fragment bomb in linear time and finds it far over MAX_HEIGHT', () => {
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on User { id name }` : `fragment F${i} on User { a${i}: id ...F${i + 1} ...F${i + 1} }`,
    );
    const document = parsed(`query Bomb { me { ...F0 } } ${fragments.join(' ')}`);

    const started = performance.now();
    const measures = measureOperation(document, 'Bomb');

    expect(performance.now() - started).toBeLessThan(50);
    expect(measures.height).toBeGreaterThan(2 ** 39);
    expect(exceededLimits(measures, defaults.limits).map((v) => v.code)).toEqual(['MAX_HEIGHT_LIMIT', 'MAX_ALIASES_LIMIT']);
  });

  it('stops at fragment cycles, which validation refuses afterwards', () => {
    const document = parsed(`
      query Q { me { ...A } }
      fragment A on User { id ...B }
      fragment B on User { name ...A orders { edges { node { customer { ...B } } } } }
    `);

    expect(measureOperation(document, 'Q')).toEqual({ depth: 5, height: 7, aliases: 0, rootFields: 1, directivesPerField: 0 });
  });

  it('measures a spread of an undefined fragment as nothing', () => {
    expect(measureOperation(parsed('query Q { me { ...Missing } }'), 'Q')).toEqual({ depth: 1, height: 1, aliases: 0, rootFields: 1, directivesPerField: 0 });
  });
});

describe('exceeded limits', () => {
  const measuresOf = (query: string) => measureOperation(parsed(query));
  const cases = [
    { limit: 'maxDepth', code: 'MAX_DEPTH_LIMIT', word: 'depth', variable: 'MAX_DEPTH', shape: (n: number) => `${'{ a '.repeat(n)}${'}'.repeat(n)}` },
    { limit: 'maxHeight', code: 'MAX_HEIGHT_LIMIT', word: 'height', variable: 'MAX_HEIGHT', shape: (n: number) => `{ me { ${Array.from({ length: n - 1 }, (_, i) => `f${i}`).join(' ')} } }` },
    { limit: 'maxAliases', code: 'MAX_ALIASES_LIMIT', word: 'aliases', variable: 'MAX_ALIASES', shape: (n: number) => `{ me { ${Array.from({ length: n }, (_, i) => `a${i}: id`).join(' ')} } }` },
    { limit: 'maxRootFields', code: 'MAX_ROOT_FIELDS_LIMIT', word: 'rootFields', variable: 'MAX_ROOT_FIELDS', shape: (n: number) => `{ ${Array.from({ length: n }, (_, i) => `f${i}`).join(' ')} }` },
    { limit: 'maxDirectivesPerField', code: 'MAX_DIRECTIVES_LIMIT', word: 'directivesPerField', variable: 'MAX_DIRECTIVES_PER_FIELD', shape: (n: number) => `{ me ${'@d '.repeat(n)}{ id } }` },
  ] as const;

  it.each(cases)('$code: below and at the limit pass, one more fails and the message names the limit and the measure', ({ limit, code, word, variable, shape }) => {
    const limits = { ...unlimited, [limit]: 6 };

    expect(exceededLimits(measuresOf(shape(5)), limits)).toEqual([]);
    expect(exceededLimits(measuresOf(shape(6)), limits)).toEqual([]);
    expect(exceededLimits(measuresOf(shape(7)), limits)).toEqual([
      { code, measured: 7, limit: 6, message: expect.stringMatching(new RegExp(`^Maximum .* limit exceeded in this operation: ${word} 7, ${variable} 6$`)) },
    ]);
  });

  it('reports every limit exceeded at once', () => {
    const measures = { depth: 13, height: 101, aliases: 31, rootFields: 21, directivesPerField: 6 };

    expect(exceededLimits(measures, defaults.limits).map((v) => v.code)).toEqual([
      'MAX_DEPTH_LIMIT',
      'MAX_HEIGHT_LIMIT',
      'MAX_ROOT_FIELDS_LIMIT',
      'MAX_ALIASES_LIMIT',
      'MAX_DIRECTIVES_LIMIT',
    ]);
  });

  it('checks no limit that is null', () => {
    expect(exceededLimits({ depth: 1e6, height: 1e6, aliases: 1e6, rootFields: 1e6, directivesPerField: 1e6 }, unlimited)).toEqual([]);
  });
});

describe('safety config', () => {
  it('defaults to limits for a public endpoint', () => {
    expect(readSafetyConfig({})).toEqual({
      lexical: { maxTokens: 15_000, maxRecursion: 500, settings: { maxTokens: 'PARSER_MAX_TOKENS', maxRecursion: 'PARSER_MAX_RECURSION' } },
      limits: { maxDepth: 12, maxHeight: 100, maxAliases: 30, maxRootFields: 20, maxDirectivesPerField: 5 },
      limitsMode: 'enforce',
      cost: { maxCost: 5_000, mode: 'enforce', defaultListSize: 10 },
    });
  });

  it('reads every variable', () => {
    const config = readSafetyConfig({
      MAX_DEPTH: '8',
      MAX_HEIGHT: '50',
      MAX_ALIASES: '10',
      MAX_ROOT_FIELDS: '5',
      MAX_DIRECTIVES_PER_FIELD: '3',
      PARSER_MAX_TOKENS: '2000',
      PARSER_MAX_RECURSION: '100',
      OPERATION_LIMITS_MODE: 'warn',
      MAX_COST: '250.5',
      COST_MODE: 'measure',
      DEFAULT_LIST_SIZE: '20',
    });

    expect(config).toEqual({
      lexical: { maxTokens: 2_000, maxRecursion: 100, settings: { maxTokens: 'PARSER_MAX_TOKENS', maxRecursion: 'PARSER_MAX_RECURSION' } },
      limits: { maxDepth: 8, maxHeight: 50, maxAliases: 10, maxRootFields: 5, maxDirectivesPerField: 3 },
      limitsMode: 'warn',
      cost: { maxCost: 250.5, mode: 'measure', defaultListSize: 20 },
    });
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      readSafetyConfig({ MAX_DEPTH: '0', PARSER_MAX_TOKENS: 'many', OPERATION_LIMITS_MODE: 'off', COST_MODE: 'strict', MAX_COST: '-1' });
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'COST_MODE',
      'MAX_COST',
      'MAX_DEPTH',
      'OPERATION_LIMITS_MODE',
      'PARSER_MAX_TOKENS',
    ]);
  });
});
