import { Column, ColumnOptions, ValueTransformer } from 'typeorm';

/** BIGINT columns come back from mysql2 as strings; fen must stay exact integers. */
export const fenTransformer: ValueTransformer = {
  to: (value: number | null | undefined) => {
    if (value === null || value === undefined) {
      return value;
    }
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(`Money must be a safe integer number of fen, got ${String(value)}`);
    }
    return value;
  },
  from: (value: string | number | null) => {
    if (value === null || value === undefined) {
      return value;
    }
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(n)) {
      throw new RangeError(`Stored money is not a safe integer: ${String(value)}`);
    }
    return n;
  },
};

/** A BIGINT column holding an integer number of fen (or another exact integer quantity). */
export function MoneyColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({ type: 'bigint', transformer: fenTransformer, ...options });
}

/**
 * Splits `total` fen among `weights` by the largest-remainder method: the parts add up to `total` exactly,
 * each part is floor(total*w/W) or one more, and ties go to the earlier weight.
 */
export function splitFen(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new RangeError(`total must be a non-negative integer number of fen, got ${total}`);
  }
  if (weights.length === 0) {
    throw new RangeError('splitFen needs at least one weight');
  }
  let sum = 0n;
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0) {
      throw new RangeError(`weights must be non-negative integers, got ${w}`);
    }
    sum += BigInt(w);
  }
  if (sum === 0n) {
    throw new RangeError('weights must not all be zero');
  }
  const t = BigInt(total);
  const parts = weights.map((w) => (t * BigInt(w)) / sum);
  const rema = weights.map((w, i) => ({ i, r: (t * BigInt(w)) % sum }));
  let left = Number(t - parts.reduce((a, b) => a + b, 0n));
  rema.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (let k = 0; k < left; k++) {
    parts[rema[k].i] += 1n;
  }
  left = 0;
  return parts.map(Number);
}

/** Applies basis points to an amount, rounding half up; 10000 bps = 100 %. */
export function bpsOf(amountFen: number, bps: number): number {
  return Number((BigInt(amountFen) * BigInt(bps) + 5000n) / 10000n);
}

/** Fen as yuan with two decimals, for people to read (`5980` → `59.80`); exact, no floating point. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
