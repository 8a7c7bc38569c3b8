import fc from 'fast-check';
import { allocateLine, LineFacts } from './allocation';

const base: LineFacts = {
  amountFen: 100,
  feeBps: 0,
  supplierType: 'HOUSEHOLD',
  supplierHouseholdId: null,
  sources: [],
  revenueShares: [],
  plotDividendBps: new Map(),
};

const h = (id: string) => ({ kind: 'HOUSEHOLD', householdId: id });

describe('allocateLine', () => {
  it('splits 100 fen from three households that gave 1, 1 and 1 units as 34, 33, 33', () => {
    const shares = allocateLine({
      ...base,
      sources: [
        { householdId: 'a', quantity: 1 },
        { householdId: 'b', quantity: 1 },
        { householdId: 'c', quantity: 1 },
      ],
    });
    expect(shares.map((s) => [s.to, s.amountFen, s.source])).toEqual([
      [h('a'), 34, 'SALE'],
      [h('b'), 33, 'SALE'],
      [h('c'), 33, 'SALE'],
    ]);
  });

  it('takes the platform fee first (basis points, half up), then splits the rest by quantity', () => {
    const shares = allocateLine({
      ...base,
      amountFen: 6800,
      feeBps: 250,
      sources: [
        { householdId: 'a', quantity: 3 },
        { householdId: 'b', quantity: 1 },
      ],
    });
    expect(shares.map((s) => [s.to, s.amountFen])).toEqual([
      [{ kind: 'PLATFORM' }, 170],
      [h('a'), 4973],
      [h('b'), 1657],
    ]);
  });

  it('gives a household supplier’s untraced lot to that household', () => {
    expect(
      allocateLine({ ...base, amountFen: 4500, supplierHouseholdId: 'egg' }).map((s) => [s.to, s.amountFen]),
    ).toEqual([[h('egg'), 4500]]);
  });

  it('pays a cooperative’s plot-contract dividends (2 %) on each household’s part of the lot, the rest to the cooperative', () => {
    const shares = allocateLine({
      ...base,
      amountFen: 68000, // 10 bags of pepper
      supplierType: 'COOPERATIVE',
      sources: [
        { householdId: 'a', quantity: 60 },
        { householdId: 'b', quantity: 40 },
      ],
      plotDividendBps: new Map([
        ['a', 200],
        ['b', 200],
      ]),
    });
    expect(shares).toEqual([
      { to: h('a'), source: 'DIVIDEND', amountFen: 816, baseFen: 40800, rateBps: 200 },
      { to: h('b'), source: 'DIVIDEND', amountFen: 544, baseFen: 27200, rateBps: 200 },
      { to: { kind: 'SUPPLIER' }, source: 'SALE', amountFen: 66640 },
    ]);
  });

  it('pays revenue shares of the whole sale to member households, the remainder to the cooperative', () => {
    const shares = allocateLine({
      ...base,
      amountFen: 12800,
      supplierType: 'COOPERATIVE',
      revenueShares: [
        { householdId: 'm1', shareBps: 500 },
        { householdId: 'm2', shareBps: 500 },
      ],
    });
    expect(shares.map((s) => [s.to, s.amountFen, s.source])).toEqual([
      [h('m1'), 640, 'SALE'],
      [h('m2'), 640, 'SALE'],
      [{ kind: 'SUPPLIER' }, 11520, 'SALE'],
    ]);
  });

  it('gives an enterprise lot with no per-sale linkage entirely to the enterprise', () => {
    expect(allocateLine({ ...base, amountFen: 3600, supplierType: 'ENTERPRISE' })).toEqual([
      { to: { kind: 'SUPPLIER' }, amountFen: 3600, source: 'SALE' },
    ]);
  });

  it('always adds up to the line and is never negative, whatever the weights', () => {
    const id = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50_000_000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.constantFrom('HOUSEHOLD', 'COOPERATIVE', 'ENTERPRISE') as fc.Arbitrary<LineFacts['supplierType']>,
        fc.uniqueArray(fc.record({ householdId: id, quantity: fc.integer({ min: 1, max: 5000 }) }), {
          selector: (s) => s.householdId,
          maxLength: 6,
        }),
        fc.array(fc.record({ householdId: id, shareBps: fc.integer({ min: 1, max: 2500 }) }), {
          maxLength: 4,
        }),
        fc.array(fc.tuple(id, fc.integer({ min: 0, max: 500 })), { maxLength: 6 }),
        (amountFen, feeBps, supplierType, sources, revenueShares, tiers) => {
          const shares = allocateLine({
            amountFen,
            feeBps,
            supplierType,
            supplierHouseholdId: 'own',
            sources,
            revenueShares,
            plotDividendBps: new Map(tiers),
          });
          expect(shares.reduce((a, s) => a + s.amountFen, 0)).toBe(amountFen);
          shares.forEach((s) => expect(s.amountFen).toBeGreaterThanOrEqual(0));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
