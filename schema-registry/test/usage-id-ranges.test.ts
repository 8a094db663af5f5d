import { idRanges } from '../src/domain/usage-store';

describe('the ranges of operation numbers a check scans usage in', () => {
  const rangeOf = (ranges: [number | null, number | null][], id: number) =>
    ranges.filter(([low, high]) => (low === null || id >= low) && (high === null || id < high)).length;

  it('puts every number, below, within and above the stored ones, in exactly one range of about 5,000 operations', () => {
    const ranges = idRanges(7, 100_006, 100_000);
    expect(ranges).toHaveLength(20);
    expect([ranges[0]![0], ranges.at(-1)![1]]).toEqual([null, null]);
    for (const id of [-1, 0, 7, 5_006, 5_007, 50_000, 100_006, 200_000]) expect([id, rangeOf(ranges, id)]).toEqual([id, 1]);
  });

  it('scans a few or no operations in one range open at both ends', () => {
    expect(idRanges(0, 0, 0)).toEqual([[null, null]]);
    expect(idRanges(3, 4_000, 3_998)).toEqual([[null, null]]);
  });
});
