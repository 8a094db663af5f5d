import { decodeCursor, DomainError, encodeCursor, pageSize } from '../src';

describe('cursor pagination', () => {
  it('round-trips a sort key through an opaque cursor', () => {
    const cursor = encodeCursor('0199a1b2-0000-7000-8000-000000000001');
    expect(cursor).not.toContain('0199a1b2');
    expect(decodeCursor(cursor)).toBe('0199a1b2-0000-7000-8000-000000000001');
  });

  it('rejects a cursor this API did not make, and page sizes out of range', () => {
    expect(() => decodeCursor('not a cursor!')).toThrow(DomainError);
    expect(() => pageSize(-1)).toThrow(/between 0 and 100/);
    expect(() => pageSize(101)).toThrow(/between 0 and 100/);
    expect(pageSize(undefined)).toBe(20);
  });

  it('rejects a cursor whose key holds U+0000, which no database compares against, as bad input', () => {
    expect(encodeCursor('a\0b')).toBe('YQBi');
    expect(() => decodeCursor('YQBi')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
