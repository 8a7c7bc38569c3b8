import { Global, Injectable, Module } from '@nestjs/common';
import { LOT_INCOME_READER, LotIncomeReader } from '@/modules/catalog/lot-income';

/**
 * Household income per lot. No sale is allocated yet: the double-entry ledger, allocation, accruals,
 * reconciliation and payouts arrive with the spine issue, and this reader will then sum the lot's postings.
 */
@Injectable()
export class LotIncomeService implements LotIncomeReader {
  async householdFenOfLot(_lotId: string): Promise<number> {
    return 0;
  }
}

@Global()
@Module({
  providers: [LotIncomeService, { provide: LOT_INCOME_READER, useExisting: LotIncomeService }],
  exports: [LOT_INCOME_READER],
})
export class LedgerModule {}
