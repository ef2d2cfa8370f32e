import { withinBytes } from './outbox.relay';

describe('withinBytes (one relay batch stays under the broker limit and the heap cap)', () => {
  const rows = (...sizes: (number | string)[]) => sizes.map((size, i) => ({ seq: String(i + 1), size }));

  it.each([
    ['everything when it fits', rows(100, 200, 300), 1_000, ['1', '2', '3']],
    ['the longest prefix within the limit, in seq order', rows(400, 400, 400, 10), 1_000, ['1', '2']],
    ['never skips ahead to a smaller row (order is the contract)', rows(600, 600, 10), 1_000, ['1']],
    ['a single row over the limit still goes, alone', rows(5_000, 10), 1_000, ['1']],
    ['sizes as MySQL returns them (strings)', rows('600', '300', '200'), 1_000, ['1', '2']],
    ['nothing from nothing', rows(), 1_000, []],
  ] as const)('%s', (_case, input, max, expected) => {
    expect(withinBytes(input, max).map((r) => r.seq)).toEqual(expected);
  });
});
