import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { withTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobOf } from '@/infrastructure/queue/jobs';
import { OrdersService } from '../orders.service';
import { SettlementService } from '../settlement.service';
import { OrdersJobName } from './orders.job-definitions';

@Injectable()
export class OrdersJobs {
  private readonly logger = new Logger(OrdersJobs.name);

  constructor(
    @Inject(SettlementService) private readonly settlement: SettlementService,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(OutboxService) private readonly outbox: OutboxService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** At payBy: cancel the order if it is still unpaid, returning its stock. */
  @JobHandler(OrdersJobName.OrderDeadline)
  async deadline({ orderId }: JobOf<typeof OrdersJobName.OrderDeadline>): Promise<string> {
    const outcome = await this.settlement.expireOrder(orderId);
    if (outcome === 'early') {
      // Clocks disagree a little: come back at the deadline.
      const order = await this.orders.requireOrder(orderId);
      await withTransaction(this.db, (em) =>
        this.outbox.add(em, OrdersJobName.OrderDeadline, { orderId }, order.payBy ?? undefined),
      );
      this.outbox.kick();
    }
    return outcome;
  }

  /** Every minute: payments whose notification never came are queried and completed or failed. */
  @JobHandler(OrdersJobName.PaymentRecovery, { schedule: { every: 60_000 } })
  async recover(): Promise<{ checked: number; captured: number; failed: number }> {
    const r = await this.settlement.recoverPending();
    if (r.checked) {
      this.logger.log(`payment recovery: ${r.checked} checked, ${r.captured} captured, ${r.failed} failed`);
    }
    return r;
  }
}
