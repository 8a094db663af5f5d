import { buildSchema } from 'graphql';
import { evaluateUsage, UsagePolicy } from '../src/domain/evaluate-usage';
import type { SchemaChange } from '../src/domain/schema-change';
import type { UsageRow } from '../src/domain/usage-store';

const schema = buildSchema('type Query { products: [Product!]! } type Product { id: ID! sku: String! name: String! }');
const skuRemoved: SchemaChange = { code: 'FIELD_REMOVED', severity: 'BREAKING', coordinate: 'Product.sku', message: '' };
const colorAdded: SchemaChange = { code: 'FIELD_ADDED', severity: 'SAFE', coordinate: 'Product.color', message: '' };
const policy: UsagePolicy = { queryCountThreshold: 1, queryPercentageThreshold: 0, excludedClients: [], excludedOperationNames: [] };

const row = (name: string, coordinates: string[], clientName: string, clientVersion: string, count: number): UsageRow => ({
  signatureHash: `hash-${name}`,
  operationName: name,
  coordinates,
  clientName,
  clientVersion,
  count,
});
const catalog = (client: string, version: string, count: number) => row('Catalog', ['Query.products', 'Product.sku'], client, version, count);
const names = (count: number) => row('Names', ['Query.products', 'Product.name'], 'web', '1.0', count);

const evaluate = (usage: UsageRow[], overrides: Partial<UsagePolicy> = {}) =>
  evaluateUsage([skuRemoved, colorAdded], usage, { ...policy, ...overrides }, schema).changes;

describe('weighing breaking changes against usage', () => {
  it('blocks a breaking change an operation in the window uses, naming the operation and its clients', () => {
    const [change] = evaluate([catalog('web', '1.4.0', 30), catalog('ios', '2.0', 10), names(60)]);
    expect(change).toMatchObject({
      blocking: true,
      affectedOperations: [
        { name: 'Catalog', count: 40, clients: [{ name: 'web', version: '1.4.0', count: 30 }, { name: 'ios', version: '2.0', count: 10 }] },
      ],
    });
  });

  it('lets a breaking change through when the window has usage but none of what it breaks', () => {
    expect(evaluate([names(60)])[0]).toMatchObject({ blocking: false, affectedOperations: [] });
  });

  it('blocks a breaking change when no usage is recorded at all', () => {
    expect(evaluate([])[0]).toMatchObject({ blocking: true, affectedOperations: [] });
  });

  it('never blocks a safe change', () => {
    expect(evaluate([])[1]).toMatchObject({ blocking: false });
  });

  it('ignores operations below the count threshold', () => {
    expect(evaluate([catalog('web', '1.0', 4), names(96)], { queryCountThreshold: 5 })[0]!.blocking).toBe(false);
    expect(evaluate([catalog('web', '1.0', 5), names(95)], { queryCountThreshold: 5 })[0]!.blocking).toBe(true);
  });

  it('ignores operations below the percentage threshold of all requests', () => {
    expect(evaluate([catalog('web', '1.0', 4), names(96)], { queryPercentageThreshold: 5 })[0]!.blocking).toBe(false);
    expect(evaluate([catalog('web', '1.0', 5), names(95)], { queryPercentageThreshold: 5 })[0]!.blocking).toBe(true);
  });

  it('ignores excluded clients, by name or name@version, and excluded operation names', () => {
    const usage = [catalog('web', '1.4.0', 30), catalog('ios', '2.0', 10), names(60)];
    expect(evaluate(usage, { excludedClients: ['web', 'ios@2.0'] })[0]!.blocking).toBe(false);
    expect(evaluate(usage, { excludedClients: ['web'] })[0]!.affectedOperations[0]!.clients).toEqual([{ name: 'ios', version: '2.0', count: 10 }]);
    expect(evaluate(usage, { excludedOperationNames: ['Catalog'] })[0]!.blocking).toBe(false);
  });
});
