import { OperationNameLabels } from '../src/observability/operation-names';
import { errorClassOf, outcomeOf } from '../src/observability/operation-outcome';

describe('operation names as metric labels', () => {
  it('keeps the first distinct names, then labels every new one (other), while the known ones keep their own', () => {
    const labels = new OperationNameLabels(2);
    expect(labels.labelOf('Catalog')).toBe('Catalog');
    expect(labels.labelOf('PlaceOrder')).toBe('PlaceOrder');
    expect(labels.labelOf('Third')).toBe('(other)');
    expect(labels.labelOf('Catalog')).toBe('Catalog');
    expect(labels.labelOf(undefined)).toBe('(anonymous)');
  });
});

describe('the outcome of an operation', () => {
  it('is success without errors, else the class of the first error', () => {
    expect(outcomeOf(undefined)).toBe('success');
    expect(outcomeOf([])).toBe('success');
    expect(outcomeOf([{ extensions: { code: 'REQUEST_RATE_LIMITED' } }, { extensions: { code: 'BAD_USER_INPUT' } }])).toBe('rate_limit');
    expect(outcomeOf([{ extensions: { code: 'MAX_DEPTH_LIMIT' } }])).toBe('limit');
    expect(outcomeOf([{ extensions: { code: 'COST_ESTIMATED_TOO_EXPENSIVE' } }])).toBe('cost');
  });

  it("calls a subgraph's own failure subgraph, and keeps the class of a subgraph refusing the input or the caller", () => {
    expect(outcomeOf([{ extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'orders' } }])).toBe('subgraph');
    expect(outcomeOf([{ extensions: { serviceName: 'orders' } }])).toBe('subgraph');
    expect(outcomeOf([{ extensions: { code: 'BAD_USER_INPUT', serviceName: 'orders' } }])).toBe('invalid');
    expect(outcomeOf([{ extensions: { code: 'FORBIDDEN', serviceName: 'orders' } }])).toBe('auth');
    expect(outcomeOf([{ extensions: { code: 'INTERNAL_SERVER_ERROR' } }])).toBe('internal');
    expect(errorClassOf('NOT_FOUND')).toBe('subgraph');
    expect(errorClassOf(undefined)).toBe('other');
  });
});
