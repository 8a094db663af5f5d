import { failureReason, formatCompositionMessage, formatHint } from '../src/cli/format-check';
import type { CheckRunView } from '../src/cli/operations';

describe('composition messages as the CLI prints them', () => {
  it('adds where composition says a message is', () => {
    const message = { code: 'FIELD_TYPE_MISMATCH', message: '[reviews] Type of field "Review.id" is incompatible', locations: [{ subgraph: 'reviews', line: 2, column: 3 }] };
    expect(formatCompositionMessage(message)).toBe('FIELD_TYPE_MISMATCH: [reviews] Type of field "Review.id" is incompatible (reviews:2:3)');
    expect(formatHint({ ...message, locations: [] })).toBe('hint[FIELD_TYPE_MISMATCH]: [reviews] Type of field "Review.id" is incompatible');
  });

  it('prints the place of a syntax error once, since its message already names it', () => {
    const syntax = { code: 'INVALID_GRAPHQL', message: '[products] Syntax Error: Unexpected <EOF>. (products:1:1)', locations: [{ subgraph: 'products', line: 1, column: 1 }] };
    expect(formatCompositionMessage(syntax)).toBe('INVALID_GRAPHQL: [products] Syntax Error: Unexpected <EOF>. (products:1:1)');
  });
});

describe('the line a failed check ends with', () => {
  const operation = (name: string | null, clients: { name: string; version: string }[]) => ({
    signatureHash: `hash-${name}`,
    name,
    count: 3,
    clients: clients.map((c) => ({ ...c, count: 3 })),
  });
  const failed = (affectedOperations: CheckRunView['changes'][number]['affectedOperations']): CheckRunView =>
    ({
      id: 'c1',
      graphRef: 'shop@current',
      subgraph: 'products',
      passed: false,
      compositionErrors: [],
      changes: [{ severity: 'BREAKING', code: 'FIELD_REMOVED', coordinate: 'Product.price', message: 'removed', blocking: true, affectedOperations }],
      usage: null,
    }) as unknown as CheckRunView;

  it('names an operation without a name by the start of its hash, and a client without a name as unknown', () => {
    const line = failureReason(failed([operation(null, [{ name: '', version: '' }]), operation('Catalog', [{ name: 'storefront', version: '1.4.0' }])]));
    expect(line).toBe('check failed: 1 breaking change(s): FIELD_REMOVED Product.price (used by (anonymous hash-null) by (unknown client); Catalog by storefront 1.4.0)');
  });

  it('names three operations and counts the rest, however many a change breaks', () => {
    const many = Array.from({ length: 1000 }, (_, i) => operation(`Op${i}`, [{ name: 'web', version: '' }]));
    expect(failureReason(failed(many))).toBe('check failed: 1 breaking change(s): FIELD_REMOVED Product.price (used by Op0 by web; Op1 by web; Op2 by web; and 997 more operations)');
  });
});
