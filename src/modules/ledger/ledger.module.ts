import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LOT_INCOME_READER } from '@/modules/catalog/lot-income';
import { CatalogModule } from '@/modules/catalog/catalog.module';
import { HouseholdsModule } from '@/modules/households/households.module';
import { OrdersModule } from '@/modules/orders/orders.module';
import { SuppliersModule } from '@/modules/suppliers/suppliers.module';
import { AccrualsRepository } from './accruals.repository';
import { AccrualsService } from './accruals.service';
import { AllocationService } from './allocation.service';
import { CreditHoldEntity } from './entities/credit-hold.entity';
import { HarvestEntity } from './entities/harvest.entity';
import { JournalEntryEntity } from './entities/journal-entry.entity';
import { LedgerAccountEntity } from './entities/ledger-account.entity';
import { PayoutBatchEntity, PayoutLineEntity } from './entities/payout.entity';
import { PostingEntity } from './entities/posting.entity';
import { ReconciliationEntity } from './entities/reconciliation.entity';
import { SeasonCloseEntity } from './entities/season-close.entity';
import { IncomeRepository } from './income.repository';
import { IncomeService } from './income.service';
import { LedgerJobs } from './jobs/ledger.jobs';
import { LedgerController } from './ledger.controller';
import { LedgerRepository } from './ledger.repository';
import { LedgerWriter } from './ledger.writer';
import { PayoutsRepository } from './payouts.repository';
import { PayoutsService } from './payouts.service';
import { ReconciliationRepository } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';

/** The double-entry ledger: allocation of sales, accruals, reconciliation, income statements, payouts, monitoring. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([
      LedgerAccountEntity,
      JournalEntryEntity,
      PostingEntity,
      HarvestEntity,
      SeasonCloseEntity,
      ReconciliationEntity,
      PayoutBatchEntity,
      PayoutLineEntity,
      CreditHoldEntity,
    ]),
    OrdersModule,
    CatalogModule,
    SuppliersModule,
    HouseholdsModule,
  ],
  controllers: [LedgerController],
  providers: [
    LedgerRepository,
    IncomeRepository,
    AccrualsRepository,
    ReconciliationRepository,
    LedgerWriter,
    AllocationService,
    AccrualsService,
    IncomeService,
    ReconciliationService,
    PayoutsService,
    PayoutsRepository,
    LedgerJobs,
    { provide: LOT_INCOME_READER, useExisting: IncomeService },
  ],
  exports: [LOT_INCOME_READER, LedgerWriter, AllocationService, IncomeService],
})
export class LedgerModule {}
