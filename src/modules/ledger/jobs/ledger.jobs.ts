import { Inject, Injectable } from '@nestjs/common';
import { businessDate } from '@/common/time';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobOf } from '@/infrastructure/queue/jobs';
import { AccrualsService, previousMonth } from '../accruals.service';
import { addDays, AllocationService } from '../allocation.service';
import { IncomeService } from '../income.service';
import { ReconciliationService } from '../reconciliation.service';
import { LedgerJobName } from './ledger.job-definitions';

@Injectable()
export class LedgerJobs {
  constructor(
    @Inject(AllocationService) private readonly allocation: AllocationService,
    @Inject(AccrualsService) private readonly accruals: AccrualsService,
    @Inject(ReconciliationService) private readonly reconciliation: ReconciliationService,
    @Inject(IncomeService) private readonly income: IncomeService,
  ) {}

  @JobHandler(LedgerJobName.AllocateOrder)
  async allocate(data: JobOf<typeof LedgerJobName.AllocateOrder>): Promise<number> {
    return this.allocation.allocateOrders('orderIds' in data ? data.orderIds : [data.orderId]);
  }

  @JobHandler(LedgerJobName.ReverseRefund)
  async reverse({ refundId }: JobOf<typeof LedgerJobName.ReverseRefund>): Promise<number> {
    return this.allocation.reverseRefund(refundId);
  }

  /** 00:30 on the 1st (Asia/Shanghai): the month just ended. */
  @JobHandler(LedgerJobName.MonthlyAccruals, { schedule: { pattern: '30 0 1 * *' } })
  async accrue({
    month,
  }: JobOf<typeof LedgerJobName.MonthlyAccruals>): Promise<{ month: string; posted: number }> {
    return this.accruals.accrueMonth(month ?? previousMonth(businessDate()));
  }

  /** 01:30 every day: yesterday's business date. */
  @JobHandler(LedgerJobName.Reconcile, { schedule: { pattern: '30 1 * * *' } })
  async reconcile({ date }: JobOf<typeof LedgerJobName.Reconcile>): Promise<string> {
    return (await this.reconciliation.run(date ?? addDays(businessDate(), -1))).status;
  }

  /** 03:00 every day. */
  @JobHandler(LedgerJobName.MonitorHouseholds, { schedule: { pattern: '0 3 * * *' } })
  async monitor({
    asOf,
  }: JobOf<typeof LedgerJobName.MonitorHouseholds>): Promise<{ monitored: number; lifted: number }> {
    return this.income.monitor(asOf);
  }
}
