import { buildSchema } from 'graphql';
import { SubscriptionDocuments } from '../src/http/subscription-operation';

const schema = buildSchema(`
  type Query { ping: String }
  type Subscription { ticked(every: Int!): Int! }
`);
const ticked = 'subscription Tick($every: Int!) { ticked(every: $every) }';

describe('SubscriptionDocuments', () => {
  it('parses and validates a document once per schema, and coerces each request its own variables', () => {
    const documents = new SubscriptionDocuments();
    const first = documents.prepare(schema, { query: ticked, variables: { every: 1 } });
    const second = documents.prepare(schema, { query: ticked, variables: { every: '2' } });

    expect(first.request?.variables).toEqual({ every: 1 });
    expect(second.errors?.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    const third = documents.prepare(schema, { query: ticked, variables: { every: 3 } });
    expect(third.request?.document).toBe(first.request?.document);
    const otherSchema = buildSchema('type Query { ping: String } type Subscription { ticked(every: Int!): Int! }');
    expect(documents.prepare(otherSchema, { query: ticked, variables: { every: 1 } }).request?.document).not.toBe(first.request?.document);
  });

  it('answers parse and validation errors with their codes, every time', () => {
    const documents = new SubscriptionDocuments();
    for (let i = 0; i < 2; i++) {
      expect(documents.prepare(schema, { query: 'subscription {' }).errors?.map((e) => e.extensions.code)).toEqual(['GRAPHQL_PARSE_FAILED']);
      expect(documents.prepare(schema, { query: 'subscription { shoeSize }' }).errors?.map((e) => e.extensions.code)).toEqual([
        'GRAPHQL_VALIDATION_FAILED',
      ]);
      expect(documents.prepare(schema, { query: '{ ping }' }).errors?.map((e) => e.extensions.code)).toEqual(['BAD_REQUEST']);
    }
  });

  it('keeps at most the number of documents it is given', () => {
    const documents = new SubscriptionDocuments(2);
    const first = documents.prepare(schema, { query: ticked, variables: { every: 1 } }).request?.document;
    documents.prepare(schema, { query: `${ticked} `, variables: { every: 1 } });
    documents.prepare(schema, { query: `${ticked}  `, variables: { every: 1 } });
    expect(documents.prepare(schema, { query: ticked, variables: { every: 1 } }).request?.document).not.toBe(first);
  });
});
