import { allContracts, defineEvent, describeEventContracts } from '@ficus/events';
import { z } from 'zod';
import { diffEventContracts } from '../src/domain/event-contracts/diff-event-contracts';

const describe1 = (schema: z.ZodType, type = 'orders.order.placed', version = 1) =>
  describeEventContracts([defineEvent({ type, version, schema })]);

const line = z.object({ productId: z.string(), quantity: z.number().int().positive() });
const placed = z.object({ orderId: z.string(), items: z.array(line), reason: z.enum(['A', 'B']), note: z.string().optional() });

const codes = (before: z.ZodType, after: z.ZodType) =>
  diffEventContracts(describe1(before), describe1(after)).map((c) => [c.code, c.severity, c.coordinate]);

describe('diffEventContracts', () => {
  it('finds nothing between the repository catalog and itself', () => {
    expect(diffEventContracts(describeEventContracts(allContracts), describeEventContracts(allContracts))).toEqual([]);
  });

  it('calls a removed field breaking, with its path', () => {
    expect(codes(placed, placed.omit({ orderId: true }))).toEqual([['FIELD_REMOVED', 'BREAKING', 'orders.order.placed@1 orderId']]);
  });

  it('calls a retyped field breaking, also inside array items', () => {
    const retyped = placed.extend({ items: z.array(line.extend({ quantity: z.string() })) });
    expect(codes(placed, retyped)).toEqual([['FIELD_CHANGED_TYPE', 'BREAKING', 'orders.order.placed@1 items[].quantity']]);
  });

  it('calls a new required field breaking and a new optional one safe', () => {
    expect(codes(placed, placed.extend({ currency: z.string() }))).toEqual([['REQUIRED_FIELD_ADDED', 'BREAKING', 'orders.order.placed@1 currency']]);
    expect(codes(placed, placed.extend({ currency: z.string().optional() }))).toEqual([['FIELD_ADDED', 'SAFE', 'orders.order.placed@1 currency']]);
  });

  it('calls a field made required or optional breaking', () => {
    expect(codes(placed, placed.extend({ note: z.string() }))).toEqual([['FIELD_MADE_REQUIRED', 'BREAKING', 'orders.order.placed@1 note']]);
    expect(codes(placed, placed.extend({ orderId: z.string().optional() }))).toEqual([['FIELD_MADE_OPTIONAL', 'BREAKING', 'orders.order.placed@1 orderId']]);
  });

  it('calls enum values added or removed breaking within a version', () => {
    expect(codes(placed, placed.extend({ reason: z.enum(['A', 'B', 'C']) }))).toEqual([['VALUE_ADDED_TO_ENUM', 'BREAKING', 'orders.order.placed@1 reason']]);
    expect(codes(placed, placed.extend({ reason: z.enum(['A']) }))).toEqual([['VALUE_REMOVED_FROM_ENUM', 'BREAKING', 'orders.order.placed@1 reason']]);
  });

  it('calls a new version or a new type safe, and a removed version breaking', () => {
    const v1 = describe1(placed);
    const v2 = describe1(placed.omit({ orderId: true }), 'orders.order.placed', 2);
    const other = describe1(z.object({ id: z.string() }), 'orders.order.shipped');
    expect(diffEventContracts(v1, [...v1, ...v2, ...other]).map((c) => [c.code, c.severity, c.coordinate])).toEqual([
      ['EVENT_VERSION_ADDED', 'SAFE', 'orders.order.placed@2'],
      ['EVENT_TYPE_ADDED', 'SAFE', 'orders.order.shipped@1'],
    ]);
    expect(diffEventContracts([...v1, ...v2], v2).map((c) => [c.code, c.severity])).toEqual([['EVENT_VERSION_REMOVED', 'BREAKING']]);
  });

  it('ignores descriptions and key order', () => {
    const documented = z.object({ items: z.array(line), orderId: z.string().describe('the order'), reason: z.enum(['A', 'B']), note: z.string().optional() });
    expect(codes(placed, documented)).toEqual([]);
  });
});
