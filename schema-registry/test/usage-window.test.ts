import type { SqlEntityManager } from '@mikro-orm/knex';
import { buildSchema } from 'graphql';
import { evaluateUsage, evaluateWindow, touchedByBreaking, UsagePolicy } from '../src/domain/evaluate-usage';
import type { SchemaChange } from '../src/domain/schema-change';
import { usageSince, usageWindow } from '../src/domain/usage-store';
import { reportUsage, startTestRegistry, TestRegistry } from './registry-harness';

const before = buildSchema(`
  type Query { products(filter: Filter): [Product!]! product(id: ID!): Product }
  type Product { id: ID! sku: String! name: String! kind: Kind! }
  input Filter { kind: Kind name: String }
  enum Kind { BOOK TOY }
`);
const breaking = (code: string, coordinate: string): SchemaChange => ({ code, severity: 'BREAKING', coordinate, message: '' });
const changes: SchemaChange[] = [
  breaking('FIELD_REMOVED', 'Product.sku'),
  breaking('TYPE_REMOVED', 'Product'),
  breaking('VALUE_REMOVED_FROM_ENUM', 'Kind.TOY'),
  breaking('REQUIRED_FIELD_ADDED_TO_INPUT_OBJECT', 'Filter.price'),
  breaking('ARG_REMOVED', 'Query.product'),
  { code: 'FIELD_ADDED', severity: 'SAFE', coordinate: 'Product.color', message: '' },
];
const shapes = [
  ['Query.products', 'Product.sku'],
  ['Query.products', 'Product.name'],
  ['Query.product', 'Product.id'],
  ['Query.products', 'Product.kind'],
  ['Query.products', 'Filter.kind', 'Product.id'],
  ['Query.product', 'Product.name_with_underscore'],
];
const policies: UsagePolicy[] = [
  { queryCountThreshold: 1, queryPercentageThreshold: 0, excludedClients: [], excludedOperationNames: [] },
  { queryCountThreshold: 5, queryPercentageThreshold: 2, excludedClients: ['ios', 'web@1.1'], excludedOperationNames: ['Op3', 'Op7'] },
];

/** A check now reads only the operations its changes touch; what it reports must be what reading every row gave. */
describe.each(['sqlite', 'postgres'] as const)('a check reading usage by coordinate, on %s', (kind) => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry(kind, `reg_usage_window_${kind}`);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('reports the same changes, operations, counts and clients as evaluating every operation of the window', async () => {
    const ref = 'shop@same';
    const clients = [['web', '1.0'], ['web', '1.1'], ['ios', '2.0'], ['', '']] as const;
    for (let batch = 0; batch < 6; batch++) {
      const operations = Array.from({ length: 40 }, (_, i) => ({
        signature: `query Op${i}{shape${i % shapes.length}}`,
        operationName: i % 9 === 0 ? null : `Op${i}`,
        clientName: clients[(i + batch) % clients.length]![0],
        clientVersion: clients[(i + batch) % clients.length]![1],
        coordinates: shapes[i % shapes.length]!,
        count: 1 + ((i * 7 + batch) % 5),
      }));
      const at = new Date(Date.now() - (batch % 3) * 3_600_000);
      expect((await reportUsage(t, ref, operations, at)).status).toBe(202);
    }
    const em = t.registry.orm.em.fork();
    const variant = (await em.getConnection().execute("select id from variants where graph = 'shop' and name = 'same'"))[0] as { id: string };
    for (const hoursBack of [1, 3]) {
      const since = new Date(Date.now() - hoursBack * 3_600_000);
      for (const policy of policies) {
        const everyRow = evaluateUsage(changes, await usageSince(em, variant.id, since), policy, before);
        const window = await usageWindow(em, variant.id, since, policy, touchedByBreaking(changes, before));
        expect(evaluateWindow(changes, window, policy, before)).toEqual(everyRow);
        expect(everyRow.changes.filter((c) => c.affectedOperations.length > 0).length).toBeGreaterThan(2);
      }
    }
  });
});

describe('a check reading usage on SQLite, which answers on the event loop’s thread', () => {
  let t: TestRegistry;

  beforeAll(async () => {
    t = await startTestRegistry('sqlite', 'reg_usage_window_turns');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('runs each of its statements in a turn of the event loop of its own, so no two hold it in a row', async () => {
    const ref = 'shop@turns';
    // More operations touching the change than one count of their clients takes.
    const operations = Array.from({ length: 400 }, (_, i) => ({
      signature: `query Op${i}{products{sku id}}`,
      operationName: `Op${i}`,
      clientName: i % 2 ? 'web' : 'ios',
      clientVersion: '1.0',
      coordinates: ['Query.products', 'Product.sku', 'Product.id'],
      count: 1 + (i % 3),
    }));
    expect((await reportUsage(t, ref, operations, new Date())).status).toBe(202);
    const em = t.registry.orm.em.fork();
    const variant = (await em.getConnection().execute("select id from variants where graph = 'shop' and name = 'turns'"))[0] as { id: string };
    const knex = (em as SqlEntityManager).getKnex();

    let turn = 0;
    let reading = true;
    const tick = () => {
      turn++;
      if (reading) setImmediate(tick);
    };
    setImmediate(tick);
    const turns: number[] = [];
    const recordTurn = () => turns.push(turn);
    knex.on('query', recordTurn);
    let window;
    try {
      window = await usageWindow(em, variant.id, new Date(Date.now() - 3_600_000), policies[0]!, touchedByBreaking([breaking('FIELD_REMOVED', 'Product.sku')], before));
    } finally {
      reading = false;
      knex.off('query', recordTurn);
    }

    expect(window.rows).toHaveLength(400);
    expect(window.totalRequests).toBe(operations.reduce((sum, op) => sum + op.count, 0));
    expect(turns.length).toBeGreaterThan(4);
    expect(new Set(turns).size).toBe(turns.length);
  });

  it('finds the counts of the operations a change touches by their number, not by scanning every hour of the window', async () => {
    const operations = Array.from({ length: 400 }, (_, i) => ({
      signature: `query Op${i}{products{sku}}`,
      operationName: `Op${i}`,
      clientName: 'web',
      clientVersion: '1.0',
      coordinates: ['Query.products', 'Product.sku'],
      count: 1,
    }));
    expect((await reportUsage(t, 'shop@plans', operations, new Date())).status).toBe(202);
    const em = t.registry.orm.em.fork();
    const variant = (await em.getConnection().execute("select id from variants where graph = 'shop' and name = 'plans'"))[0] as { id: string };
    const knex = (em as SqlEntityManager).getKnex();
    const statements: { sql: string; bindings: unknown[] }[] = [];
    const record = (query: { sql: string; bindings?: unknown[] }) => statements.push({ sql: query.sql, bindings: query.bindings ?? [] });
    knex.on('query', record);
    try {
      await usageWindow(em, variant.id, new Date(Date.now() - 3_600_000), policies[0]!, touchedByBreaking([breaking('FIELD_REMOVED', 'Product.sku')], before));
    } finally {
      knex.off('query', record);
    }

    const counts = statements.filter(({ sql }) => /group by/i.test(sql));
    expect(counts.length).toBeGreaterThan(2);
    for (const { sql, bindings } of counts) {
      const steps = (await knex.raw(`explain query plan ${sql}`, bindings as readonly string[])) as { detail: string }[];
      expect(steps.map((step) => step.detail).join('; ')).toMatch(/SEARCH c USING INDEX sqlite_autoindex_usage_counts_1 \(variant_id=\? AND operation_id=\?\)/);
    }
  });
});
