import { readUsageReport } from '../src/http/usage-report';

const window = { start: '2026-12-02T10:00:00Z', end: '2026-12-02T10:01:00Z' };
const op = { signature: 'query A{a}', coordinates: ['Query.a'], count: 2 };

describe('reading a usage report', () => {
  it('fills in the defaults and leaves out fields it does not know, as the schema does', () => {
    const { report } = readUsageReport({
      graphRef: 'shop@current',
      window,
      extra: true,
      operations: [op, { ...op, operationName: 'A', clientName: 'web', clientVersion: '1.0', note: 'x' }],
    });
    expect(report).toEqual({
      graphRef: 'shop@current',
      window,
      operations: [
        { signature: 'query A{a}', operationName: null, clientName: '', clientVersion: '', coordinates: ['Query.a'], count: 2 },
        { signature: 'query A{a}', operationName: 'A', clientName: 'web', clientVersion: '1.0', coordinates: ['Query.a'], count: 2 },
      ],
    });
  });

  it.each([
    ['a count that is not a positive integer', { operations: [op, { ...op, count: 0 }] }, 'operations.1.count: Too small: expected number to be >0'],
    ['a count past a billion, which sums of many would take past 64 bits', { operations: [op, { ...op, count: 1_000_000_001 }] }, 'operations.1.count: Too big: expected number to be <=1000000000'],
    ['a count that is not an integer', { operations: [{ ...op, count: 2.5 }] }, 'operations.0.count: Invalid input: expected int, received number'],
    ['a coordinate that is not Type.field', { operations: [{ ...op, coordinates: ['Query.a', 'Query'] }] }, 'operations.0.coordinates.1: must be a schema coordinate, Type.field'],
    ['a client name longer than 200', { operations: [{ ...op, clientName: 'w'.repeat(201) }] }, 'operations.0.clientName: Too big: expected string to have <=200 characters'],
    ['an empty signature', { operations: [{ ...op, signature: '' }] }, 'operations.0.signature: Too small: expected string to have >=1 characters'],
    ['no operations', { operations: [] }, 'operations: Too small: expected array to have >=1 items'],
    ['operations that are not a list', { operations: {} }, 'operations: Invalid input: expected array, received object'],
    ['a window ending before it starts', { window: { start: window.end, end: window.start }, operations: [op] }, 'window: start must not be after end'],
  ])('refuses %s with the schema’s message', (_what, fields, problem) => {
    expect(readUsageReport({ graphRef: 'shop@current', window, ...fields }).problems).toEqual([problem]);
  });
});
