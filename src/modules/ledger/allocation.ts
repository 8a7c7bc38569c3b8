import { bpsOf, splitFen } from '@/common/money';
import { IncomeSource } from './entities/posting.entity';

/** Where a share goes: a household, the supplier, or the platform's fee. */
export type Beneficiary =
  { kind: 'HOUSEHOLD'; householdId: string } | { kind: 'SUPPLIER' } | { kind: 'PLATFORM' };

export interface Share {
  to: Beneficiary;
  amountFen: number;
  source: IncomeSource;
  /** Tiered dividends only: the part of the sale the dividend is a share of, and the rate used. */
  baseFen?: number;
  rateBps?: number;
}

export interface LineFacts {
  amountFen: number;
  feeBps: number;
  supplierType: 'HOUSEHOLD' | 'COOPERATIVE' | 'ENTERPRISE';
  /** The supplier's own household, for a household supplier. */
  supplierHouseholdId: string | null;
  /** The households behind the lot, in the order they were listed. */
  sources: { householdId: string; quantity: number }[];
  /** The supplier's per-sale linkages, in the order they were made. */
  revenueShares: { householdId: string; shareBps: number }[];
  /** Plot-contract dividend rate (the season's current tier) per household. */
  plotDividendBps: Map<string, number>;
}

/**
 * Splits one paid line: the platform fee first; then, for a household supplier, the rest to the households
 * behind the lot by the quantities they supplied; for a cooperative or enterprise, the per-sale linkages
 * (revenue shares of the whole, plot-contract dividends of each household's part of the lot) with the
 * remainder to the supplier. Largest remainder throughout: the shares add up to the line, fen for fen, and
 * ties go to the earlier-listed source.
 */
export function allocateLine(f: LineFacts): Share[] {
  const fee = bpsOf(f.amountFen, f.feeBps);
  const rest = f.amountFen - fee;
  const shares: Share[] = [];
  if (fee > 0) {
    shares.push({ to: { kind: 'PLATFORM' }, amountFen: fee, source: IncomeSource.Fee });
  }
  if (rest === 0) {
    return shares;
  }
  if (f.supplierType === 'HOUSEHOLD') {
    const sources = f.sources.length
      ? f.sources
      : f.supplierHouseholdId
        ? [{ householdId: f.supplierHouseholdId, quantity: 1 }]
        : [];
    if (sources.length === 0) {
      return [...shares, { to: { kind: 'SUPPLIER' }, amountFen: rest, source: IncomeSource.Sale }];
    }
    const parts = splitFen(
      rest,
      sources.map((s) => s.quantity),
    );
    sources.forEach((s, i) =>
      shares.push({
        to: { kind: 'HOUSEHOLD', householdId: s.householdId },
        amountFen: parts[i],
        source: IncomeSource.Sale,
      }),
    );
    return shares.filter((s) => s.amountFen > 0 || s.to.kind !== 'HOUSEHOLD');
  }
  // Cooperative or enterprise: weights over a common denominator of 10000 × (lot quantity).
  const q = f.sources.reduce((a, s) => a + s.quantity, 0);
  const unit = Math.max(q, 1);
  const claims: { share: Omit<Share, 'amountFen'>; weight: number }[] = [];
  for (const s of f.sources) {
    const bps = f.plotDividendBps.get(s.householdId);
    if (bps) {
      claims.push({
        share: {
          to: { kind: 'HOUSEHOLD', householdId: s.householdId },
          source: IncomeSource.Dividend,
          baseFen: Number((BigInt(rest) * BigInt(s.quantity)) / BigInt(unit)),
          rateBps: bps,
        },
        weight: bps * s.quantity,
      });
    }
  }
  for (const r of f.revenueShares) {
    claims.push({
      share: { to: { kind: 'HOUSEHOLD', householdId: r.householdId }, source: IncomeSource.Sale },
      weight: r.shareBps * unit,
    });
  }
  const total = 10000 * unit;
  const claimed = claims.reduce((a, c) => a + c.weight, 0);
  const weights = [...claims.map((c) => c.weight), Math.max(0, total - claimed)];
  const parts = splitFen(rest, weights);
  claims.forEach((c, i) => {
    if (parts[i] > 0) {
      shares.push({ ...c.share, amountFen: parts[i] });
    }
  });
  if (parts[claims.length] > 0) {
    shares.push({ to: { kind: 'SUPPLIER' }, amountFen: parts[claims.length], source: IncomeSource.Sale });
  }
  return shares;
}
