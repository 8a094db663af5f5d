import { recordSubscription, waitFor, webSocketClient } from '@ficus/testkit';
import { readSubgraphConfig } from '../src';
import { GuardedSubgraph, startGuardedSubgraph } from './guarded-subgraph';

interface Sent {
  status: number;
  data?: any;
  codes: (string | undefined)[];
}

describe('a subgraph limiting what one operation may ask', () => {
  let guarded: GuardedSubgraph;

  beforeAll(async () => {
    guarded = await startGuardedSubgraph({ MAX_DEPTH: '5', MAX_ENTITY_REPRESENTATIONS: '3', MAX_LIST_LENGTH: '4' });
  });
  afterAll(async () => {
    await guarded?.stop();
  });

  const send = async (query: string, variables?: Record<string, unknown>): Promise<Sent> => {
    const response = await fetch(guarded.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    return { status: response.status, data: body.data, codes: (body.errors ?? []).map((e) => e.extensions?.code) };
  };
  const refused = (sent: Sent, code: string) => {
    expect(sent.status).toBe(400);
    expect(sent.data).toBeUndefined();
    expect(sent.codes).toEqual([code]);
  };
  const entities = (count: number) =>
    send('query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id } } }', {
      r: Array.from({ length: count }, (_, i) => ({ __typename: 'Order', id: `o${i}` })),
    });

  it('answers an operation as deep as MAX_DEPTH and refuses one deeper with MAX_DEPTH_LIMIT, fragments included', async () => {
    expect((await send('{ order(id: "o1") { next { next { next { id } } } } }')).data.order.next.next.next.id).toBe('o1+++');

    refused(await send('{ order(id: "o1") { next { next { next { next { id } } } } } }'), 'MAX_DEPTH_LIMIT');
    refused(
      await send('{ order(id: "o1") { ...Two } } fragment Two on Order { next { ... on Order { next { ...More } } } } fragment More on Order { next { next { id } } }'),
      'MAX_DEPTH_LIMIT',
    );
  });

  it('resolves MAX_ENTITY_REPRESENTATIONS references at once and refuses more with MAX_ENTITY_REPRESENTATIONS_LIMIT', async () => {
    expect((await entities(3)).data._entities).toHaveLength(3);
    refused(await entities(4), 'MAX_ENTITY_REPRESENTATIONS_LIMIT');
  });

  it('refuses representations no entity can be looked up by with BAD_USER_INPUT, as a variable or inline', async () => {
    const lookUp = (r: unknown) => send('query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id } } }', { r });
    const deep = JSON.parse(`${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`) as unknown;
    for (const r of [
      [{ __typename: 'Nope', id: '1' }],
      [{ __typename: 'Query', id: '1' }],
      [{ id: '1' }],
      [{ __typename: 5, id: '1' }],
      [{ __typename: 'Order' }],
      [{ __typename: 'Order', id: null }],
      [{ __typename: 'Order', id: [1, 2] }],
      [{ __typename: 'Order', id: { $ne: 'x' } }],
      [{ __typename: 'Order', id: deep }],
      ['x'],
      'x',
      [1, 's', []],
    ]) {
      const sent = await lookUp(r);
      expect({ r, codes: sent.codes }).toEqual({ r, codes: ['BAD_USER_INPUT'] });
    }
    const inline = await send('{ _entities(representations: [{ __typename: "Order", id: { a: { b: 1 } } }]) { ... on Order { id } } }');
    expect(inline.codes).toEqual(['BAD_USER_INPUT']);
    expect((await lookUp([{ __typename: 'Order', id: 'o1' }, { __typename: 'Order', id: 7 }])).data._entities).toEqual([{ id: 'o1' }, { id: '7' }]);
  });

  it('refuses a list argument longer than MAX_LIST_LENGTH with MAX_LIST_LENGTH_LIMIT, written inline or as a variable', async () => {
    expect((await send('mutation { label(id: "o1", labels: ["a", "b", "c", "d"]) { labels } }')).data.label.labels).toHaveLength(4);

    refused(await send('mutation { label(id: "o1", labels: ["a", "b", "c", "d", "e"]) { labels } }'), 'MAX_LIST_LENGTH_LIMIT');
    refused(await send('query($ids: [ID!]) { orders(ids: $ids) { id } }', { ids: ['1', '2', '3', '4', '5'] }), 'MAX_LIST_LENGTH_LIMIT');
  });

  it('refuses first beyond 100 with BAD_USER_INPUT before any resolver runs', async () => {
    expect((await send('{ orders(first: 100) { id } }')).data.orders).toHaveLength(2);

    refused(await send('{ orders(first: 101) { id } }'), 'BAD_USER_INPUT');
    refused(await send('query($n: Int) { orders(first: $n) { id } }', { n: 1_000_000 }), 'BAD_USER_INPUT');
  });

  it('refuses text holding U+0000, which PostgreSQL cannot store, with BAD_USER_INPUT before any resolver runs, written inline or as a variable', async () => {
    expect((await send('mutation { label(id: "o1", labels: ["a\\u0001b"]) { labels } }')).data.label.labels).toEqual(['a\u0001b']);

    refused(await send('mutation { label(id: "o1", labels: ["a\\u0000b"]) { labels } }'), 'BAD_USER_INPUT');
    refused(await send('query($ids: [ID!]) { orders(ids: $ids) { id } }', { ids: ['o1', 'o\u00002'] }), 'BAD_USER_INPUT');
    refused(await send('query($id: ID!) { order(id: $id) { id } }', { id: '\u0000' }), 'BAD_USER_INPUT');
  });

  it('refuses a document over the token limit with MAX_TOKENS_LIMIT and one nesting too deep with MAX_RECURSION_LIMIT, worded as the gateway words them', async () => {
    const post = async (query: string) => {
      const response = await fetch(guarded.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
      return { status: response.status, body: (await response.json()) as { errors: { message: string; extensions: { code: string } }[] } };
    };
    const tokens = await post(`{ ${Array.from({ length: 40_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`);
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors).toEqual([
      { message: 'parsing error: token limit reached, aborting lexing: the document has more than 100000 tokens', extensions: { code: 'MAX_TOKENS_LIMIT' } },
    ]);
    const deep = await post(`{ ${'a { '.repeat(600)}id${' }'.repeat(600)} }`);
    expect(deep.status).toBe(400);
    expect(deep.body.errors).toEqual([
      { message: 'parsing error: parser recursion limit reached: the document nests more than 500 levels deep', extensions: { code: 'MAX_RECURSION_LIMIT' } },
    ]);
  });

  it('keeps serving after refusing: a refused operation costs nothing but its answer', async () => {
    await Promise.all(Array.from({ length: 20 }, () => entities(10_000)));

    expect((await fetch(new URL('/ready', guarded.subgraph.url))).status).toBe(200);
    expect((await send('{ order(id: "o9") { id } }')).data.order.id).toBe('o9');
  });

  it('applies the same limits to subscriptions over graphql-ws', async () => {
    const client = webSocketClient(guarded.subgraph.url);
    try {
      const deep = recordSubscription(client, 'subscription { orderSeen(id: "o1") { next { next { next { next { id } } } } } }');
      const fine = recordSubscription(client, 'subscription { orderSeen(id: "o1") { next { id } } }');
      await waitFor(() => deep.errors.length > 0 && fine.completed, { what: 'the deep subscription refused, the other run' });
      expect(deep.errors.map((e) => e.extensions?.code)).toEqual(['MAX_DEPTH_LIMIT']);
      expect(fine.values).toEqual([{ orderSeen: { next: { id: 'o1+' } } }]);
    } finally {
      await client.dispose();
    }
  });
});

describe('the limits in the subgraph config', () => {
  it('default to depth 15, 5000 representations and lists of 100, and refuse what is not a positive whole number', () => {
    expect(readSubgraphConfig('orders', 4004, {}).limits).toEqual({ maxDepth: 15, maxEntityRepresentations: 5_000, maxListLength: 100 });
    expect(readSubgraphConfig('orders', 4004, { MAX_DEPTH: '30', MAX_ENTITY_REPRESENTATIONS: '5000', MAX_LIST_LENGTH: '500' }).limits).toEqual({
      maxDepth: 30,
      maxEntityRepresentations: 5_000,
      maxListLength: 500,
    });
    expect(() => readSubgraphConfig('orders', 4004, { MAX_DEPTH: '0', MAX_LIST_LENGTH: 'many' })).toThrow(/MAX_DEPTH[\s\S]*MAX_LIST_LENGTH/);
  });
});
