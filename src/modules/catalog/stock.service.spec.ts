import fc from 'fast-check';
import { planFromLots, takeFromLots } from './stock.service';

const lot = (id: string, remaining: number) => ({ id, remaining });

describe('takeFromLots', () => {
  it('takes from the lots in the order given, the first one emptied before the next is touched', () => {
    expect(takeFromLots([lot('a', 3), lot('b', 5), lot('c', 9)], 6)).toEqual([
      { lotId: 'a', quantity: 3 },
      { lotId: 'b', quantity: 3 },
    ]);
  });

  it('skips lots with nothing left', () => {
    expect(takeFromLots([lot('a', 0), lot('b', 2)], 2)).toEqual([{ lotId: 'b', quantity: 2 }]);
  });

  it('plans null when the lots together hold too little', () => {
    expect(takeFromLots([lot('a', 3), lot('b', 2)], 6)).toBeNull();
    expect(takeFromLots([], 1)).toBeNull();
  });

  it('takes exactly what the lots hold when that is the quantity', () => {
    expect(takeFromLots([lot('a', 3), lot('b', 2)], 5)).toEqual([
      { lotId: 'a', quantity: 3 },
      { lotId: 'b', quantity: 2 },
    ]);
  });

  it('never takes more than a lot holds, and plans the whole quantity or null', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(20), { maxLength: 6 }),
        fc.integer({ min: 1, max: 80 }),
        (remaining, qty) => {
          const lots = remaining.map((r, i) => lot(`l${i}`, r));
          const plan = takeFromLots(lots, qty);
          const held = remaining.reduce((a, r) => a + r, 0);
          if (held < qty) {
            expect(plan).toBeNull();
            return;
          }
          expect(plan!.reduce((a, t) => a + t.quantity, 0)).toBe(qty);
          for (const t of plan!) {
            expect(t.quantity).toBeGreaterThan(0);
            expect(t.quantity).toBeLessThanOrEqual(lots.find((l) => l.id === t.lotId)!.remaining);
          }
        },
      ),
    );
  });
});

describe('planFromLots', () => {
  it('plans a second line of the same product from what the first line left', () => {
    const lots = new Map([['p', [lot('a', 4), lot('b', 4)]]]);
    expect(
      planFromLots(
        [
          { productId: 'p', quantity: 3 },
          { productId: 'p', quantity: 3 },
        ],
        lots,
      ),
    ).toEqual([
      [{ lotId: 'a', quantity: 3 }],
      [
        { lotId: 'a', quantity: 1 },
        { lotId: 'b', quantity: 2 },
      ],
    ]);
    expect(lots.get('p')).toEqual([lot('a', 0), lot('b', 2)]);
  });

  it('takes only from the pinned lot when a line names one', () => {
    const lots = new Map([['p', [lot('a', 4), lot('b', 4)]]]);
    expect(
      planFromLots(
        [
          { productId: 'p', quantity: 2, lotId: 'b' },
          { productId: 'p', quantity: 3, lotId: 'b' },
        ],
        lots,
      ),
    ).toEqual([[{ lotId: 'b', quantity: 2 }], null]);
  });

  it('a line that cannot be filled takes nothing, so a later line still finds the stock', () => {
    const lots = new Map([['p', [lot('a', 5)]]]);
    expect(
      planFromLots(
        [
          { productId: 'p', quantity: 6 },
          { productId: 'p', quantity: 5 },
        ],
        lots,
      ),
    ).toEqual([null, [{ lotId: 'a', quantity: 5 }]]);
  });

  it('plans null for a product without lots or unknown', () => {
    const lots = new Map([['p', [] as { id: string; remaining: number }[]]]);
    expect(
      planFromLots(
        [
          { productId: 'p', quantity: 1 },
          { productId: 'x', quantity: 1 },
        ],
        lots,
      ),
    ).toEqual([null, null]);
  });

  it('keeps products apart', () => {
    const lots = new Map([
      ['p', [lot('a', 2)]],
      ['q', [lot('b', 2)]],
    ]);
    expect(
      planFromLots(
        [
          { productId: 'p', quantity: 2 },
          { productId: 'q', quantity: 2 },
        ],
        lots,
      ),
    ).toEqual([[{ lotId: 'a', quantity: 2 }], [{ lotId: 'b', quantity: 2 }]]);
  });
});
