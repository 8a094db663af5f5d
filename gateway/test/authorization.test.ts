import type { Identity } from '@ficus/kit';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { composeSubgraphs } from '@ficus/schema-registry';
import { DocumentNode, GraphQLSchema, parse, print, validate } from 'graphql';
import { createTokenVerifier } from '../src/auth/token-verifier';
import {
  authorizationFeatures,
  AuthorizationCaller,
  AuthorizationOutcome,
  AuthorizationRules,
  authorizeOperation,
  PolicyHook,
} from '../src/authorization';
import { startTokenIssuer } from './harness/token-issuer';

const federation = (imports: string) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: [${imports}])`;

const accountsSdl = `
  ${federation('"@key", "@authenticated", "@requiresScopes"')}
  type Query {
    me: User @authenticated
    users: [User!]!
    secretUser(id: ID!): User @authenticated
    catalogAdmin: String @requiresScopes(scopes: [["catalog:write"], ["inventory:write", "orders:read-all"]])
    publicInfo: String
  }
  type User @key(fields: "id") {
    id: ID!
    name: String
    email: String @authenticated
    account: Account
  }
  type Account @authenticated {
    balance: Int
  }
`;

const contentSdl = `
  ${federation('"@key", "@authenticated", "@policy"')}
  type Query {
    posts: [Post!]!
    feed: [FeedItem!]!
    products: [Product!]!
  }
  interface Post {
    id: ID!
    title: String
    body: String
  }
  type PublicPost implements Post {
    id: ID!
    title: String
    body: String
  }
  type DraftPost implements Post {
    id: ID!
    title: String
    body: String @authenticated
  }
  type PrivateNote @authenticated {
    text: String
  }
  union FeedItem = PublicPost | PrivateNote
  type Product @key(fields: "id") {
    id: ID!
    name: String
    margin: Int @policy(policies: [["finance"]])
    discount: Int @policy(policies: [["pricing"], ["owner", "audit"]])
  }
`;

interface Graph {
  rules: AuthorizationRules;
  apiSchema: GraphQLSchema;
}

function graphOf(...subgraphs: { name: string; sdl: string }[]): Graph {
  const outcome = composeSubgraphs(
    subgraphs.map(({ name, sdl }) => ({ name, sdl, routingUrl: `http://${name}.invalid/graphql`, origin: 'inline sdl' })),
  );
  if (!outcome.ok) throw new Error(`test subgraphs do not compose: ${JSON.stringify(outcome.errors)}`);
  return { rules: AuthorizationRules.fromSupergraph(outcome.supergraphSdl), apiSchema: apiSchemaOf(outcome.supergraphSdl) };
}

function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  const supportedFeatures = new Set([...DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, ...authorizationFeatures]);
  return Supergraph.build(supergraphSdl, { supportedFeatures }).apiSchema().toGraphQLJSSchema();
}

const shop = graphOf({ name: 'accounts', sdl: accountsSdl }, { name: 'content', sdl: contentSdl });

const ada: Identity = { userId: 'u1', email: 'ada@example.com', roles: ['customer'] };
const anonymous: AuthorizationCaller = { identity: null, scopes: new Set() };
const signedIn = (...scopes: string[]): AuthorizationCaller => ({ identity: ada, scopes: new Set(scopes) });

interface Request {
  caller?: AuthorizationCaller;
  variables?: Record<string, unknown>;
  operationName?: string;
  policyHook?: PolicyHook | null;
  graph?: Graph;
}

async function authorize(query: string | DocumentNode, request: Request = {}): Promise<AuthorizationOutcome> {
  const graph = request.graph ?? shop;
  const document = typeof query === 'string' ? parse(query) : query;
  expect(validate(graph.apiSchema, document)).toEqual([]);
  const outcome = await authorizeOperation({
    rules: graph.rules,
    apiSchema: graph.apiSchema,
    document,
    operationName: request.operationName ?? null,
    variables: request.variables ?? {},
    caller: request.caller ?? anonymous,
    policyHook: request.policyHook ?? null,
  });
  // Whatever was removed, what is left must still plan: it validates against the API schema.
  if (outcome.document) expect(validate(graph.apiSchema, outcome.document)).toEqual([]);
  return outcome;
}

/** The errors as a client receives them. */
const reported = (outcome: AuthorizationOutcome) => outcome.errors.map((error) => error.toJSON());
const unauthorizedAt = (...paths: string[][]) =>
  paths.map((path) => ({ message: 'Unauthorized field or type', path, extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } }));
const printed = (outcome: AuthorizationOutcome) => (outcome.document ? print(outcome.document) : null);
const same = (query: string) => print(parse(query));

describe('rules read from a composed supergraph', () => {
  it('name the guarded fields and types with their scopes and policies as OR of ANDs', () => {
    expect(shop.rules.isEmpty).toBe(false);
    expect(shop.rules.ofField('Query', 'me')).toEqual({ authenticated: true, scopes: null, policies: null });
    expect(shop.rules.ofType('Account')).toEqual({ authenticated: true, scopes: null, policies: null });
    expect(shop.rules.ofField('Query', 'catalogAdmin')?.scopes).toEqual([['catalog:write'], ['inventory:write', 'orders:read-all']]);
    expect(shop.rules.ofField('Product', 'discount')?.policies).toEqual([['pricing'], ['owner', 'audit']]);
    expect(shop.rules.ofField('User', 'name')).toBeUndefined();
    expect([...shop.rules.policyNames].sort()).toEqual(['audit', 'finance', 'owner', 'pricing']);
  });

  it('are the reason the supergraph loads only where the gateway enforces them', () => {
    const outcome = composeSubgraphs([{ name: 'accounts', sdl: accountsSdl, routingUrl: 'http://accounts.invalid', origin: 'inline sdl' }]);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));

    expect(() => Supergraph.build(outcome.supergraphSdl)).toThrow('feature https://specs.apollo.dev/authenticated/v0.1 is for: SECURITY but is unsupported');
  });

  it('are empty for a supergraph that uses no authorization directive', () => {
    const plain = graphOf({ name: 'plain', sdl: `${federation('"@key"')} type Query { hello: String }` });

    expect(plain.rules.isEmpty).toBe(true);
  });

  it('follow a directive renamed by its import', async () => {
    const renamed = graphOf({
      name: 'renamed',
      sdl: `${federation('"@key", { name: "@authenticated", as: "@signedIn" }')}
        type Query { hello: String secret: String @signedIn }`,
    });

    expect(renamed.rules.ofField('Query', 'secret')).toEqual({ authenticated: true, scopes: null, policies: null });
    const outcome = await authorize('{ hello secret }', { graph: renamed });
    expect(reported(outcome)).toEqual(unauthorizedAt(['secret']));
  });

  it('refuse a supergraph linking a version of the specs the gateway does not enforce', () => {
    const sdl = `schema @link(url: "https://specs.apollo.dev/link/v1.0")
      @link(url: "https://specs.apollo.dev/authenticated/v0.2", for: SECURITY) { query: Query }
      type Query { hello: String }`;

    expect(() => AuthorizationRules.fromSupergraph(sdl)).toThrow('the supergraph links authenticated v0.2; the gateway enforces only v0.1');
  });
});

describe('@authenticated', () => {
  it('removes a root field from an anonymous caller and reports it at its path', async () => {
    const outcome = await authorize('{ me { id name } publicInfo }');

    expect(reported(outcome)).toEqual(unauthorizedAt(['me']));
    expect(printed(outcome)).toBe(same('{ publicInfo }'));
    expect(outcome.removedKey).not.toBe('');
  });

  it('reports a field inside a list once, at a path with @ for the list and no index', async () => {
    const outcome = await authorize('{ users { id email } }');

    expect(reported(outcome)).toEqual(unauthorizedAt(['users', '@', 'email']));
    expect(printed(outcome)).toBe(same('{ users { id } }'));
  });

  it('removes a field whose type requires authentication, reached through another field', async () => {
    const outcome = await authorize('{ users { name account { balance } } }');

    expect(reported(outcome)).toEqual(unauthorizedAt(['users', '@', 'account']));
    expect(printed(outcome)).toBe(same('{ users { name } }'));
  });

  it('uses field names, not aliases, in the path, as Router does', async () => {
    const outcome = await authorize('{ publicInfo whoAmI: me { id } }');

    expect(reported(outcome)).toEqual(unauthorizedAt(['me']));
  });

  it('removes a field whose selections were all removed, reporting only those', async () => {
    const outcome = await authorize('{ publicInfo users { email } }');

    expect(reported(outcome)).toEqual(unauthorizedAt(['users', '@', 'email']));
    expect(printed(outcome)).toBe(same('{ publicInfo }'));
  });

  it('leaves nothing to plan when every root field is removed, as Router answers data: null', async () => {
    const outcome = await authorize('{ me { id } users { email } }');

    expect(outcome.document).toBeNull();
    expect(reported(outcome)).toEqual(unauthorizedAt(['me'], ['users', '@', 'email']));
  });

  it('drops the variables and fragments that only removed fields used', async () => {
    const outcome = await authorize(
      `query Q($id: ID!) { publicInfo secretUser(id: $id) { ...UserFields } }
       fragment UserFields on User { id name }`,
    );

    expect(reported(outcome)).toEqual(unauthorizedAt(['secretUser']));
    expect(printed(outcome)).toBe(same('query Q { publicInfo }'));
  });

  it('lets a signed-in caller through with the same document and an empty removed key', async () => {
    const document = parse('{ me { id email account { balance } } users { email } }');

    const outcome = await authorize(document, { caller: signedIn() });

    expect(outcome).toEqual({ document, errors: [], removedKey: '' });
    expect(outcome.document).toBe(document);
  });
});

describe('a guarded root type', () => {
  it('refuses the whole operation with one error at the root path', async () => {
    const guarded = graphOf({
      name: 'guarded',
      sdl: `${federation('"@authenticated"')} type Query { hello: String } type Mutation @authenticated { ping: String }`,
    });

    const outcome = await authorize('mutation { ping }', { graph: guarded });

    expect(outcome.document).toBeNull();
    expect(reported(outcome)).toEqual(unauthorizedAt([]));
    expect((await authorize('mutation { ping }', { graph: guarded, caller: signedIn() })).errors).toEqual([]);
  });
});

describe('@requiresScopes', () => {
  it('grants a field to a caller holding every scope of one alternative', async () => {
    const first = await authorize('{ catalogAdmin }', { caller: signedIn('catalog:write') });
    const second = await authorize('{ catalogAdmin }', { caller: signedIn('inventory:write', 'orders:read-all', 'other') });

    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
  });

  it('refuses a caller missing one scope of each alternative', async () => {
    const outcome = await authorize('{ catalogAdmin publicInfo }', { caller: signedIn('inventory:write') });

    expect(reported(outcome)).toEqual(unauthorizedAt(['catalogAdmin']));
    expect(printed(outcome)).toBe(same('{ publicInfo }'));
  });
});

describe('@policy', () => {
  it('asks the hook once about the policies the operation reaches and removes what it does not grant', async () => {
    const asked: { policies: readonly string[]; identity: Identity | null }[] = [];
    const policyHook: PolicyHook = async (policies, identity) => {
      asked.push({ policies, identity });
      return ['finance'];
    };

    const outcome = await authorize('{ products { name margin discount } }', { caller: signedIn(), policyHook });

    expect(asked).toEqual([{ policies: ['audit', 'finance', 'owner', 'pricing'], identity: ada }]);
    expect(reported(outcome)).toEqual(unauthorizedAt(['products', '@', 'discount']));
    expect(printed(outcome)).toBe(same('{ products { name margin } }'));
  });

  it('grants an alternative only when the hook grants every policy in it', async () => {
    const outcome = await authorize('{ products { discount } }', { caller: signedIn(), policyHook: () => ['owner', 'audit'] });

    expect(outcome.errors).toEqual([]);
  });

  it('denies every policy when no hook is configured', async () => {
    const outcome = await authorize('{ products { id margin discount } }', { caller: signedIn('catalog:write') });

    expect(reported(outcome)).toEqual(unauthorizedAt(['products', '@', 'margin'], ['products', '@', 'discount']));
    expect(printed(outcome)).toBe(same('{ products { id } }'));
  });

  it('does not ask the hook when the operation reaches no policy', async () => {
    const policyHook = jest.fn(() => []);

    await authorize('{ products { id name } }', { policyHook });

    expect(policyHook).not.toHaveBeenCalled();
  });
});

describe('fragments on abstract types', () => {
  it('removes an interface field that an implementation guards, at its path through the list', async () => {
    const outcome = await authorize('{ posts { id title body } }');

    expect(reported(outcome)).toEqual(unauthorizedAt(['posts', '@', 'body']));
    expect(printed(outcome)).toBe(same('{ posts { id title } }'));
  });

  it('keeps the field on an implementation that does not guard it', async () => {
    const outcome = await authorize('{ posts { id ... on PublicPost { body } } }');

    expect(outcome.errors).toEqual([]);
  });

  it('reports a field in an inline fragment with the fragment in the path and drops the emptied fragment', async () => {
    const outcome = await authorize('{ posts { id ... on DraftPost { body } } }');

    expect(reported(outcome)).toEqual(unauthorizedAt(['posts', '@', '... on DraftPost', 'body']));
    expect(printed(outcome)).toBe(same('{ posts { id } }'));
  });

  it('reports a field of a named fragment at each spread, without the fragment in the path, as Router does', async () => {
    const outcome = await authorize(`{ posts { ...PostFields } }  fragment PostFields on Post { id body }`);

    expect(reported(outcome)).toEqual(unauthorizedAt(['posts', '@', 'body']));
    expect(printed(outcome)).toBe(same('{ posts { ...PostFields } } fragment PostFields on Post { id }'));
  });

  it('reports a named fragment spread in two places at both', async () => {
    const outcome = await authorize(`{ posts { ...PostFields } feed { ... on PublicPost { ...PostFields } } }  fragment PostFields on Post { id body }`);

    expect(reported(outcome)).toEqual(unauthorizedAt(['posts', '@', 'body'], ['feed', '@', '... on PublicPost', 'body']));
    expect(outcome.removedKey).toBe('fragment PostFields@1');
  });

  it('removes a union member that requires authentication and keeps the others', async () => {
    const outcome = await authorize(`{ feed { __typename ... on PublicPost { title } ... on PrivateNote { text } } }`);

    expect(reported(outcome)).toEqual(unauthorizedAt(['feed', '@', '... on PrivateNote']));
    expect(printed(outcome)).toBe(same('{ feed { __typename ... on PublicPost { title } } }'));
  });

  it('removes a named fragment on a guarded type and its spread', async () => {
    const outcome = await authorize(`{ feed { ...Note ...Post } }  fragment Note on PrivateNote { text }  fragment Post on PublicPost { id }`);

    expect(reported(outcome)).toEqual(unauthorizedAt(['feed', '@', '... on PrivateNote']));
    expect(printed(outcome)).toBe(same('{ feed { ...Post } } fragment Post on PublicPost { id }'));
  });
});

describe('@skip and @include', () => {
  it('do not report what the operation skips, though it is removed all the same', async () => {
    const outcome = await authorize('{ publicInfo me @skip(if: true) { id } users { id email @include(if: false) } }');

    expect(outcome.errors).toEqual([]);
    expect(printed(outcome)).toBe(same('{ publicInfo users { id } }'));
  });

  it('are decided by the variables, and the removed key does not depend on them', async () => {
    const query = 'query Q($withEmail: Boolean!) { users { id email @include(if: $withEmail) } }';

    const included = await authorize(query, { variables: { withEmail: true } });
    const excluded = await authorize(query, { variables: { withEmail: false } });

    expect(reported(included)).toEqual(unauthorizedAt(['users', '@', 'email']));
    expect(excluded.errors).toEqual([]);
    expect(printed(included)).toBe(printed(excluded));
    expect(included.removedKey).toBe(excluded.removedKey);
  });
});

describe('the removed key', () => {
  it('is stable for the same removals and differs for different ones', async () => {
    const query = '{ users { id email account { balance } } me { id } }';

    const first = await authorize(query);
    const again = await authorize(query);
    const signedInCaller = await authorize(query, { caller: signedIn() });

    expect(first.removedKey).toBe(again.removedKey);
    expect(first.removedKey).toBe('operation@0.1,operation@0.2,operation@1');
    expect(signedInCaller.removedKey).toBe('');
  });

  it('tells apart removals that leave different documents under the same field name', async () => {
    const outcome = await authorize('{ a: users { email } b: users { id } }');

    expect(printed(outcome)).toBe(same('{ b: users { id } }'));
    expect(outcome.removedKey).toBe('operation@0.0');
  });
});

describe('a verified token', () => {
  it('carries the scopes of its space-separated scope claim, and none without one', async () => {
    const issuer = await startTokenIssuer();
    try {
      const verify = await createTokenVerifier({ keys: { kind: 'public-key', pem: issuer.publicKeyPem }, issuer: 'ficus-users', audience: 'ficus' });
      const claims = { sub: 'u1', email: 'ada@example.com', roles: ['admin'] };

      const scoped = await verify(await issuer.sign({ ...claims, scope: 'catalog:write  inventory:write orders:read-all' }));
      const unscoped = await verify(await issuer.sign(claims));

      expect(scoped.scopes).toEqual(['catalog:write', 'inventory:write', 'orders:read-all']);
      expect(scoped.identity).toEqual({ userId: 'u1', email: 'ada@example.com', roles: ['admin'] });
      expect(unscoped.scopes).toEqual([]);
    } finally {
      await issuer.stop();
    }
  });
});
