import { weigh, weighRestock, SlotScale } from './settle';

const tea: SlotScale = { slotNo: 1, productId: 'TEA', unitWeightGrams: 250, toleranceGrams: 20 };
const pepper: SlotScale = { slotNo: 2, productId: 'PEPPER', unitWeightGrams: 500, toleranceGrams: 30 };

describe('weigh: weight deltas to items (API.md settlement)', () => {
  it('rounds each slot’s delta to whole units within tolerance', () => {
    const r = weigh(
      [tea, pepper],
      [
        { slotNo: 1, weightGrams: 2500 },
        { slotNo: 2, weightGrams: 5000 },
      ],
      [
        { slotNo: 1, weightGrams: 2008 },
        { slotNo: 2, weightGrams: 4510 },
      ],
    );
    expect(r.kind).toBe('ITEMS');
    expect(r.kind === 'ITEMS' && r.items).toEqual([
      { slotNo: 1, productId: 'TEA', quantity: 2 },
      { slotNo: 2, productId: 'PEPPER', quantity: 1 },
    ]);
  });

  it('nothing taken (noise within tolerance either way) is NOTHING', () => {
    const r = weigh(
      [tea, pepper],
      [
        { slotNo: 1, weightGrams: 2500 },
        { slotNo: 2, weightGrams: 5000 },
      ],
      [
        { slotNo: 1, weightGrams: 2510 },
        { slotNo: 2, weightGrams: 4985 },
      ],
    );
    expect(r.kind).toBe('NOTHING');
  });

  it('a delta off whole units by more than the tolerance goes to review with both candidates', () => {
    const r = weigh([tea], [{ slotNo: 1, weightGrams: 2500 }], [{ slotNo: 1, weightGrams: 2130 }]);
    expect(r.kind).toBe('REVIEW');
    if (r.kind !== 'REVIEW') {
      return;
    }
    expect(r.reason).toContain('slot 1 lost 370 g');
    expect(r.evidence.slots[0]).toMatchObject({
      slotNo: 1,
      beforeGrams: 2500,
      afterGrams: 2130,
      deltaGrams: 370,
      candidateQuantities: [1, 2],
      problem: 'OUT_OF_TOLERANCE',
    });
    expect(r.evidence.candidateItems).toEqual([{ slotNo: 1, productId: 'TEA', quantity: 1 }]);
  });

  it('exactly at the tolerance is still accepted; one gram more is not', () => {
    expect(weigh([tea], [{ slotNo: 1, weightGrams: 1000 }], [{ slotNo: 1, weightGrams: 730 }]).kind).toBe(
      'ITEMS',
    );
    expect(weigh([tea], [{ slotNo: 1, weightGrams: 1000 }], [{ slotNo: 1, weightGrams: 729 }]).kind).toBe(
      'REVIEW',
    );
  });

  it('weight that grew beyond tolerance goes to review', () => {
    const r = weigh([tea], [{ slotNo: 1, weightGrams: 1000 }], [{ slotNo: 1, weightGrams: 1250 }]);
    expect(r.kind).toBe('REVIEW');
    expect(r.kind === 'REVIEW' && r.evidence.slots[0].problem).toBe('WEIGHT_GREW');
  });

  it('a missing reading, or weight moving on a slot without product, goes to review', () => {
    expect(weigh([tea], [{ slotNo: 1, weightGrams: 1000 }], []).kind).toBe('REVIEW');
    const r = weigh(
      [tea],
      [
        { slotNo: 1, weightGrams: 1000 },
        { slotNo: 9, weightGrams: 300 },
      ],
      [
        { slotNo: 1, weightGrams: 1000 },
        { slotNo: 9, weightGrams: 0 },
      ],
    );
    expect(r.kind === 'REVIEW' && r.evidence.slots.map((s) => s.problem)).toEqual([null, 'UNKNOWN_SLOT']);
  });
});

describe('weighRestock: units put in and taken out', () => {
  it('reads weight put in as positive and taken out as negative, per slot', () => {
    const r = weighRestock(
      [tea, pepper],
      [
        { slotNo: 1, weightGrams: 500 },
        { slotNo: 2, weightGrams: 5000 },
      ],
      [
        { slotNo: 1, weightGrams: 3005 },
        { slotNo: 2, weightGrams: 4000 },
      ],
    );
    expect(r.kind).toBe('CHANGES');
    expect(r.kind === 'CHANGES' && r.changes).toEqual([
      { slotNo: 1, productId: 'TEA', quantity: 10 },
      { slotNo: 2, productId: 'PEPPER', quantity: -2 },
    ]);
  });

  it('weight put in that is not whole units goes to review', () => {
    const r = weighRestock([tea], [{ slotNo: 1, weightGrams: 500 }], [{ slotNo: 1, weightGrams: 630 }]);
    expect(r.kind).toBe('REVIEW');
  });
});
