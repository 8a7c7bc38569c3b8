import { Inject, Injectable } from '@nestjs/common';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobOf } from '@/infrastructure/queue/jobs';
import { ProcurementOrdersService } from '../procurement-orders.service';
import { ProcurementJobName } from './procurement.job-definitions';

@Injectable()
export class ProcurementJobs {
  constructor(@Inject(ProcurementOrdersService) private readonly orders: ProcurementOrdersService) {}

  /** 09:00 every day (Asia/Shanghai), in office hours. */
  @JobHandler(ProcurementJobName.RemindOverdue, { schedule: { pattern: '0 9 * * *' } })
  async remindOverdue({
    today,
  }: JobOf<typeof ProcurementJobName.RemindOverdue>): Promise<{ organizations: number; messages: number }> {
    return this.orders.remindOverdue(today);
  }
}
