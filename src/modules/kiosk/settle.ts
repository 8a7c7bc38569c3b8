import type { SlotWeight } from './device/protocol';
import { ReasonCode, ReviewEvidence } from './entities/kiosk-session.entity';

/** What settlement needs to know of a slot. */
export interface SlotScale {
  slotNo: number;
  productId: string;
  unitWeightGrams: number;
  toleranceGrams: number;
}

export type WeighOutcome =
  | {
      kind: 'ITEMS';
      items: { slotNo: number; productId: string; quantity: number }[];
      evidence: ReviewEvidence;
    }
  | { kind: 'NOTHING'; evidence: ReviewEvidence }
  | { kind: 'REVIEW'; reason: string; code: ReasonCode; evidence: ReviewEvidence };

/**
 * The settlement rule of API.md: per slot, taken = (open − closed) / unitWeightGrams rounded to the nearest
 * whole; a slot whose delta is off that whole number of units by more than its tolerance, a slot whose
 * weight grew beyond its tolerance, a reading missing for a stocked slot, or weight moving on a slot that
 * holds nothing sends the session to review. `evidence` always says what each scale read and what the delta
 * could mean, so an operator can decide.
 */
export function weigh(
  slots: readonly SlotScale[],
  before: readonly SlotWeight[],
  after: readonly SlotWeight[],
): WeighOutcome {
  const config = new Map(slots.map((s) => [s.slotNo, s]));
  const b = new Map(before.map((s) => [s.slotNo, s.weightGrams]));
  const a = new Map(after.map((s) => [s.slotNo, s.weightGrams]));
  const numbers = [...new Set([...config.keys(), ...b.keys(), ...a.keys()])].sort((x, y) => x - y);
  const evidence: ReviewEvidence = { slots: [], candidateItems: [] };
  const problems: string[] = [];
  for (const slotNo of numbers) {
    const s = config.get(slotNo);
    const beforeGrams = b.get(slotNo) ?? null;
    const afterGrams = a.get(slotNo) ?? null;
    const deltaGrams = beforeGrams !== null && afterGrams !== null ? beforeGrams - afterGrams : null;
    const row: ReviewEvidence['slots'][number] = {
      slotNo,
      productId: s?.productId ?? null,
      unitWeightGrams: s?.unitWeightGrams ?? null,
      toleranceGrams: s?.toleranceGrams ?? null,
      beforeGrams,
      afterGrams,
      deltaGrams,
      candidateQuantities: [],
      problem: null,
    };
    evidence.slots.push(row);
    if (!s) {
      if (deltaGrams !== 0 && deltaGrams !== null) {
        row.problem = 'UNKNOWN_SLOT';
        problems.push(`slot ${slotNo} holds no product but its weight changed by ${-deltaGrams} g`);
      }
      continue;
    }
    if (deltaGrams === null) {
      row.problem = 'MISSING_READING';
      problems.push(`slot ${slotNo} has no reading ${beforeGrams === null ? 'before' : 'after'}`);
      continue;
    }
    const exact = deltaGrams / s.unitWeightGrams;
    const nearest = Math.max(0, Math.round(exact));
    const other = exact >= nearest ? nearest + 1 : nearest - 1;
    row.candidateQuantities = other >= 0 && other !== nearest ? [nearest, other] : [nearest];
    if (deltaGrams < -s.toleranceGrams) {
      row.problem = 'WEIGHT_GREW';
      problems.push(`slot ${slotNo} grew by ${-deltaGrams} g`);
      continue;
    }
    if (Math.abs(deltaGrams - nearest * s.unitWeightGrams) > s.toleranceGrams) {
      row.problem = 'OUT_OF_TOLERANCE';
      problems.push(
        `slot ${slotNo} lost ${deltaGrams} g, ${Math.abs(deltaGrams - nearest * s.unitWeightGrams)} g off ${nearest} × ${s.unitWeightGrams} g (tolerance ${s.toleranceGrams} g)`,
      );
    }
    if (nearest > 0) {
      evidence.candidateItems.push({ slotNo, productId: s.productId, quantity: nearest });
    }
  }
  if (problems.length) {
    const first = evidence.slots.find((x) => x.problem)!.problem!;
    return { kind: 'REVIEW', reason: problems.join('; '), code: first as ReasonCode, evidence };
  }
  return evidence.candidateItems.length
    ? { kind: 'ITEMS', items: evidence.candidateItems, evidence }
    : { kind: 'NOTHING', evidence };
}

/**
 * The restocking rule: per slot, the weight put in (positive) or taken out (negative) in whole units, each
 * within the slot's tolerance; anything else goes to review with the same evidence as a sale.
 */
export function weighRestock(
  slots: readonly SlotScale[],
  before: readonly SlotWeight[],
  after: readonly SlotWeight[],
):
  | {
      kind: 'CHANGES';
      changes: { slotNo: number; productId: string; quantity: number }[];
      evidence: ReviewEvidence;
    }
  | { kind: 'REVIEW'; reason: string; code: ReasonCode; evidence: ReviewEvidence } {
  // A sale's reading of the scales, with weight that grew read as units put in.
  const asSale = weigh(slots, before, after);
  const grew = weigh(slots, after, before);
  const changes: { slotNo: number; productId: string; quantity: number }[] = [];
  const problems: string[] = [];
  for (const row of asSale.evidence.slots) {
    if (row.problem === null) {
      const out = asSale.evidence.candidateItems.find((c) => c.slotNo === row.slotNo);
      if (out) {
        changes.push({ ...out, quantity: -out.quantity });
      }
      continue;
    }
    if (row.problem === 'WEIGHT_GREW') {
      const mirrored = grew.evidence.slots.find((r) => r.slotNo === row.slotNo)!;
      if (mirrored.problem === null) {
        const put = grew.evidence.candidateItems.find((c) => c.slotNo === row.slotNo);
        if (put) {
          changes.push(put);
        }
        row.problem = null;
        continue;
      }
      row.problem = 'OUT_OF_TOLERANCE';
      problems.push(
        `slot ${row.slotNo} gained ${-row.deltaGrams!} g, not a whole number of units within tolerance`,
      );
      continue;
    }
    problems.push(`slot ${row.slotNo}: ${row.problem}`);
  }
  const evidence: ReviewEvidence = {
    slots: asSale.evidence.slots,
    candidateItems: changes.map((c) => ({ ...c })),
  };
  if (problems.length) {
    const first = evidence.slots.find((x) => x.problem)?.problem ?? ReasonCode.OutOfTolerance;
    return { kind: 'REVIEW', reason: problems.join('; '), code: first as ReasonCode, evidence };
  }
  return { kind: 'CHANGES', changes, evidence };
}
