import { identityToHeaders, OutboxEvent } from '@ficus/kit';
import { errorCodes, graphql } from '@ficus/testkit';
import { MAX_UNITS, StockLevel } from '../src/domain/stock-level';
import { InventoryHarness, productCreatedEvent, startInventory } from './inventory-harness';

const admin = identityToHeaders({ userId: 'u-admin', email: 'admin@example.com', roles: ['admin'] });
const customer = identityToHeaders({ userId: 'u-1', email: 'ann@example.com', roles: ['customer'] });

const RESTOCK = /* GraphQL */ `
  mutation Restock($productId: ID!, $quantity: Int!) {
    restock(productId: $productId, quantity: $quantity) { productId available reserved }
  }
`;
const ENTITIES = /* GraphQL */ `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) { ... on Product { id inStock stock { productId available reserved } } }
  }
`;

describe.each(['sqlite', 'postgres'] as const)('inventory over GraphQL on %s', (kind) => {
  let inventory: InventoryHarness;

  beforeAll(async () => {
    inventory = await startInventory(kind);
  });

  afterAll(async () => {
    await inventory?.stop();
  });

  const restock = (productId: string, quantity: number, headers = admin) =>
    graphql(inventory.subgraph.url, RESTOCK, { productId, quantity }, headers);
  const outboxSize = () => inventory.subgraph.orm.em.fork().count(OutboxEvent, {});

  it('lets an admin restock a product, adding to what is available and announcing it', async () => {
    const productId = await inventory.knownProduct(3);

    const res = await restock(productId, 5);

    expect(res.errors).toBeUndefined();
    expect(res.data.restock).toEqual({ productId, available: 8, reserved: 0 });
    expect((await inventory.stockLevel(productId))?.available).toBe(8);
    await inventory.waitUntilRelayed(productId);
    expect(await inventory.publishedStockChanges(productId)).toEqual([
      { productId, available: 3, reserved: 0, reason: 'INITIAL' },
      { productId, available: 8, reserved: 0, reason: 'RESTOCK' },
    ]);
  });

  it('refuses a restock from anonymous callers and non-admins, and writes nothing', async () => {
    const productId = await inventory.knownProduct(3);
    const before = await outboxSize();

    expect(errorCodes(await restock(productId, 5, {}))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await restock(productId, 5, customer))).toEqual(['FORBIDDEN']);

    expect((await inventory.stockLevel(productId))?.available).toBe(3);
    expect(await outboxSize()).toBe(before);
  });

  it('rejects a quantity of 0 or -3 with BAD_USER_INPUT and writes nothing', async () => {
    const productId = await inventory.knownProduct(3);
    const before = await outboxSize();

    for (const quantity of [0, -3]) {
      const res = await restock(productId, quantity);
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].extensions!.fields).toEqual([{ field: 'quantity', message: 'must be at least 1' }]);
    }

    expect((await inventory.stockLevel(productId))?.available).toBe(3);
    expect(await outboxSize()).toBe(before);
  });

  it('rejects a restock that would take the level past the most a row can hold', async () => {
    const productId = await inventory.knownProduct(MAX_UNITS - 10);

    expect(errorCodes(await restock(productId, 11))).toEqual(['BAD_USER_INPUT']);

    expect((await inventory.stockLevel(productId))?.available).toBe(MAX_UNITS - 10);
  });

  it('answers NOT_FOUND for a product inventory has not heard of, and writes nothing', async () => {
    const before = await outboxSize();

    const res = await restock('no-such-product', 5);

    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect(res.errors![0].message).toBe('inventory has not heard of product no-such-product');
    expect(await inventory.stockLevel('no-such-product')).toBeNull();
    expect(await outboxSize()).toBe(before);
  });

  it('counts both of two concurrent restocks', async () => {
    const productId = await inventory.knownProduct(1);

    const results = await Promise.all([restock(productId, 5), restock(productId, 5)]);

    expect(results.map((res) => res.errors)).toEqual([undefined, undefined]);
    expect(results.map((res) => res.data.restock.available).sort((a, b) => a - b)).toEqual([6, 11]);
    expect((await inventory.stockLevel(productId))?.available).toBe(11);
    expect(await inventory.recordedStockChanges(productId)).toBe(3);
  });

  it('resolves the stock of 50 products in one _entities call with one query on the stock table', async () => {
    const known: string[] = [];
    for (let i = 0; i < 25; i++) known.push(await inventory.knownProduct(i));
    const unknown = Array.from({ length: 25 }, (_, i) => ({ productId: productCreatedEvent().aggregateId, initialStock: i }));
    const representations = [
      // What products declared no longer counts once inventory has a row: the row is the truth.
      ...known.map((id) => ({ __typename: 'Product', id, initialStock: 999 })),
      ...unknown.map(({ productId, initialStock }) => ({ __typename: 'Product', id: productId, initialStock })),
    ];

    const queries: string[] = [];
    const unsubscribe = inventory.subgraph.queryLog.subscribe((sql) => queries.push(sql));
    const res = await graphql(inventory.subgraph.url, ENTITIES, { representations });
    unsubscribe();

    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toHaveLength(50);
    expect(res.data._entities[3]).toEqual({ id: known[3], inStock: true, stock: { productId: known[3], available: 3, reserved: 0 } });
    expect(res.data._entities[0]).toMatchObject({ inStock: false, stock: { available: 0 } });
    expect(res.data._entities[25 + 7]).toEqual({
      id: unknown[7]!.productId,
      inStock: true,
      stock: { productId: unknown[7]!.productId, available: 7, reserved: 0 },
    });
    expect(res.data._entities[25]).toMatchObject({ inStock: false, stock: { available: 0 } });
    // The outbox relay polls in the background; count only what touched the stock table.
    expect(queries.filter((q) => /\bstock_levels\b/.test(q))).toHaveLength(1);
  });

  it('refuses to guess the stock of an unknown product whose representation lacks initialStock', async () => {
    const res = await graphql(inventory.subgraph.url, ENTITIES, { representations: [{ __typename: 'Product', id: 'never-heard-of' }] });

    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('keeps a stock level at or above zero in the database itself', async () => {
    const productId = await inventory.knownProduct(2);

    await expect(inventory.subgraph.orm.em.fork().nativeUpdate(StockLevel, { productId }, { available: -1 })).rejects.toThrow(/stock_levels_not_negative|CHECK/i);
  });
});
