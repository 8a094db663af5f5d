import { buildSchema } from 'graphql';
import { DocumentRules, PreparedDocuments } from '../src/pipeline/prepared-documents';

const schema = buildSchema(`
  type Query { ping: String, node: Node }
  type Node { id: ID, child: Node }
  type Subscription { ticked(every: Int!): Int! }
  type Mutation { ring: String }
  directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT
`);
const rules: DocumentRules = {
  maxTokens: 1_000,
  maxRecursion: 50,
  limits: { maxDepth: 3, maxHeight: 100, maxAliases: 2, maxRootFields: 5, maxDirectivesPerField: 2 },
  limitsMode: 'enforce',
  introspection: true,
};
const codes = (prepared: ReturnType<PreparedDocuments['prepare']>) => prepared.refused?.errors.map((e) => e.extensions.code);

describe('prepared documents', () => {
  it('parses and validates a document once per schema and hands back the same syntax tree', () => {
    const documents = new PreparedDocuments(rules);
    const first = documents.prepare(schema, '{ ping }');
    expect(first.document).toBeDefined();
    expect(documents.prepare(schema, '{ ping }').document).toBe(first.document);
    const otherSchema = buildSchema('type Query { ping: String }');
    expect(documents.prepare(otherSchema, '{ ping }').document).not.toBe(first.document);
  });

  it('refuses broken, over-limit and invalid documents with their codes, every time', () => {
    const documents = new PreparedDocuments(rules);
    for (let i = 0; i < 2; i++) {
      expect(codes(documents.prepare(schema, '{ ping'))).toEqual(['GRAPHQL_PARSE_FAILED']);
      expect(codes(documents.prepare(schema, '{ node { child { child { child { id } } } } }'))).toEqual(['MAX_DEPTH_LIMIT']);
      expect(codes(documents.prepare(schema, '{ a: ping b: ping c: ping }'))).toEqual(['MAX_ALIASES_LIMIT']);
      expect(codes(documents.prepare(schema, `{ ${'ping '.repeat(2_000)}}`))).toEqual(['MAX_TOKENS_LIMIT']);
      expect(codes(documents.prepare(schema, `${'{ node '.repeat(60)}${'}'.repeat(60)}`))).toEqual(['MAX_RECURSION_LIMIT']);
      expect(codes(documents.prepare(schema, '{ shoeSize }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    }
  });

  it('refuses a field repeated a thousand times, which graphql-js gives up comparing, saying why', () => {
    const documents = new PreparedDocuments({ ...rules, maxTokens: 10_000 });
    const prepared = documents.prepare(schema, `{ node { ${'id '.repeat(1_000)}} }`);
    expect(codes(prepared)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(prepared.refused?.errors[0]?.message).toMatch(/^Validation aborted: the operation repeats the same fields/);
    expect(documents.prepare(schema, `{ node { ${'id '.repeat(100)}} }`).document).toBeDefined();
  });

  it("refuses @skip or @include read from a variable on a subscription's root, where graphql-js's validation throws", () => {
    const documents = new PreparedDocuments(rules);
    for (const query of ['subscription($s: Boolean!) { ticked(every: 1) @include(if: $s) }', 'subscription($s: Boolean = true) { ... @skip(if: $s) { ticked(every: 1) } }']) {
      const prepared = documents.prepare(schema, query);
      expect(codes(prepared)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(prepared.refused?.errors[0]?.message).toMatch(/^a subscription's root fields cannot be skipped or included conditionally/);
    }
  });

  it("refuses a literal @skip or @include on a subscription's root, which graphql-js 16 lets through to the planner", () => {
    const documents = new PreparedDocuments(rules);
    for (const query of [
      'subscription { ticked(every: 1) @skip(if: true) }',
      'subscription { ... @include(if: true) { ticked(every: 1) } }',
      'subscription { ...Tick } fragment Tick on Subscription { ticked(every: 1) @include(if: false) }',
    ]) {
      const prepared = documents.prepare(schema, query);
      expect([query, codes(prepared), prepared.refused?.errors[0]?.message]).toEqual([
        query,
        ['GRAPHQL_VALIDATION_FAILED'],
        "a subscription's root fields cannot be skipped or included conditionally: remove @skip and @include there",
      ]);
    }
    expect(documents.prepare(schema, 'subscription { ticked(every: 1) }').refused).toBeUndefined();
    expect(documents.prepare(schema, '{ node { id @skip(if: true) } ping @include(if: false) }').refused).toBeUndefined();
  });

  it('refuses @defer labels that repeat or come from a variable, and @defer on the root of a mutation or a subscription', () => {
    const documents = new PreparedDocuments(rules);
    const refusals = {
      '{ node { ... @defer(label: "a") { id } ... @defer(label: "a") { child { id } } } }': 'the label "a" is used by more than one @defer: each must be unique in the document',
      'query($l: String) { node { ... @defer(label: $l) { id } } }': 'the label of @defer must be a literal string, not a variable',
      'mutation { ... @defer { ring } }': '@defer cannot be used on the root mutation type "Mutation"',
      'mutation { ...Later @defer } fragment Later on Mutation { ring }': '@defer cannot be used on the root mutation type "Mutation"',
      'subscription { ... @defer { ticked(every: 1) } }': '@defer cannot be used on the root subscription type "Subscription"',
    };
    for (const [query, message] of Object.entries(refusals)) {
      const prepared = documents.prepare(schema, query);
      expect([query, codes(prepared), prepared.refused?.errors[0]?.message]).toEqual([query, ['GRAPHQL_VALIDATION_FAILED'], message]);
    }
    for (const query of [
      '{ node { ... @defer(label: "a") { id } ... @defer(label: "b") { child { id } } } }',
      '{ ... @defer(label: "root") { ping } }',
      'query { node { ...Later } } fragment Later on Node { ... @defer(label: "once") { id } }',
    ]) {
      expect([query, documents.prepare(schema, query).refused]).toEqual([query, undefined]);
    }
  });

  it('measures every operation of a document before validating any, since validation covers them all', () => {
    const documents = new PreparedDocuments(rules);
    const prepared = documents.prepare(schema, 'query Small { ping } query Deep { node { child { child { child { id } } } } }');
    expect(codes(prepared)).toEqual(['MAX_DEPTH_LIMIT']);
  });

  it('serves operations over the limits in warn mode and reports what they exceed', () => {
    const documents = new PreparedDocuments({ ...rules, limitsMode: 'warn' });
    const prepared = documents.prepare(schema, '{ a: ping b: ping c: ping }');
    expect(prepared.document).toBeDefined();
    expect(prepared.overLimits.map((v) => v.code)).toEqual(['MAX_ALIASES_LIMIT']);
  });

  it('refuses introspection with INTROSPECTION_DISABLED when it is off, and keeps __typename', () => {
    const documents = new PreparedDocuments({ ...rules, introspection: false });
    expect(codes(documents.prepare(schema, '{ __schema { types { name } } }'))).toEqual(['INTROSPECTION_DISABLED']);
    expect(codes(documents.prepare(schema, '{ __type(name: "Node") { name } }'))).toEqual(['INTROSPECTION_DISABLED']);
    expect(documents.prepare(schema, '{ __typename ping }').document).toBeDefined();
  });

  it('keeps documents up to a total length, then starts over', () => {
    const documents = new PreparedDocuments(rules, 20);
    const first = documents.prepare(schema, '{ ping }').document;
    documents.prepare(schema, '{ ping  }');
    documents.prepare(schema, '{ ping   }');
    expect(documents.prepare(schema, '{ ping }').document).not.toBe(first);
  });
});
