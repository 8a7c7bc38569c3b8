import { Inject, Injectable } from '@nestjs/common';
import { businessDate } from '@/common/time';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobName, JobOf } from '@/infrastructure/queue/jobs';
import { AccrualsService, previousMonth } from '../accruals.service';
import { addDays, AllocationService } from '../allocation.service';
import { IncomeService } from '../income.service';
import { ReconciliationService } from '../reconciliation.service';

@Injectable()
export class LedgerJobs {
  constructor(
    @Inject(AllocationService) private readonly allocation: AllocationService,
    @Inject(AccrualsService) private readonly accruals: AccrualsService,
    @Inject(ReconciliationService) private readonly reconciliation: ReconciliationService,
    @Inject(IncomeService) private readonly income: IncomeService,
  ) {}

  @JobHandler(JobName.AllocateOrder)
  async allocate(data: JobOf<JobName.AllocateOrder>): Promise<number> {
    return this.allocation.allocateOrders('orderIds' in data ? data.orderIds : [data.orderId]);
  }

  @JobHandler(JobName.ReverseRefund)
  async reverse({ refundId }: JobOf<JobName.ReverseRefund>): Promise<number> {
    return this.allocation.reverseRefund(refundId);
  }

  /** 00:30 on the 1st (Asia/Shanghai): the month just ended. */
  @JobHandler(JobName.MonthlyAccruals, { schedule: { pattern: '30 0 1 * *' } })
  async accrue({ month }: JobOf<JobName.MonthlyAccruals>): Promise<{ month: string; posted: number }> {
    return this.accruals.accrueMonth(month ?? previousMonth(businessDate()));
  }

  /** 01:30 every day: yesterday's business date. */
  @JobHandler(JobName.Reconcile, { schedule: { pattern: '30 1 * * *' } })
  async reconcile({ date }: JobOf<JobName.Reconcile>): Promise<string> {
    return (await this.reconciliation.run(date ?? addDays(businessDate(), -1))).status;
  }

  /** 03:00 every day. */
  @JobHandler(JobName.MonitorHouseholds, { schedule: { pattern: '0 3 * * *' } })
  async monitor({ asOf }: JobOf<JobName.MonitorHouseholds>): Promise<{ monitored: number; lifted: number }> {
    return this.income.monitor(asOf);
  }
}
