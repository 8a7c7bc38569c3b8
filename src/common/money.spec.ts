import fc from 'fast-check';
import { bpsOf, fenTransformer, formatYuan, splitFen } from './money';

describe('splitFen', () => {
  it('gives 100 fen among three equal weights as 34, 33, 33 (ties to the first listed)', () => {
    expect(splitFen(100, [1, 1, 1])).toEqual([34, 33, 33]);
  });

  it('splits by weight with the largest remainder first', () => {
    expect(splitFen(1000, [1, 2, 3])).toEqual([167, 333, 500]);
    expect(splitFen(7, [5, 0, 5])).toEqual([4, 0, 3]);
    expect(splitFen(0, [1, 2])).toEqual([0, 0]);
  });

  it('always adds up to the total, never negative, each part within one fen of its exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000_000 }),
        fc
          .array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 40 })
          .filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = splitFen(total, weights);
          const sumW = weights.reduce((a, b) => a + b, 0);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          parts.forEach((p, i) => {
            expect(p).toBeGreaterThanOrEqual(0);
            const exact = (total * weights[i]) / sumW;
            expect(Math.abs(p - exact)).toBeLessThan(1.000001);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses fractional fen, negative totals and empty or zero weights', () => {
    expect(() => splitFen(1.5, [1])).toThrow(RangeError);
    expect(() => splitFen(-1, [1])).toThrow(RangeError);
    expect(() => splitFen(10, [])).toThrow(RangeError);
    expect(() => splitFen(10, [0, 0])).toThrow(RangeError);
    expect(() => splitFen(10, [1, -1])).toThrow(RangeError);
  });
});

describe('money helpers', () => {
  it('bpsOf rounds half up', () => {
    expect(bpsOf(10_000, 200)).toBe(200);
    expect(bpsOf(125, 200)).toBe(3); // 2.5 → 3
    expect(bpsOf(124, 200)).toBe(2);
  });

  it('the BIGINT transformer reads strings exactly and refuses unsafe integers', () => {
    expect(fenTransformer.from('9007199254740991')).toBe(9007199254740991);
    expect(() => fenTransformer.from('9007199254740993')).toThrow(RangeError);
    expect(() => fenTransformer.to(0.1)).toThrow(RangeError);
    expect(fenTransformer.to(42)).toBe(42);
  });
});

describe('formatYuan', () => {
  it('writes fen as yuan with two decimals, exactly', () => {
    expect(formatYuan(5980)).toBe('59.80');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(-1234)).toBe('-12.34');
    expect(formatYuan(Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
  });
});
