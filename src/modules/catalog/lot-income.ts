/** How many fen of a lot's sales have reached households; the ledger module provides it. */
export interface LotIncomeReader {
  householdFenOfLot(lotId: string): Promise<number>;
}

export const LOT_INCOME_READER = Symbol('LOT_INCOME_READER');
