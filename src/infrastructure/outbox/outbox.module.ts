import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobName } from '@/infrastructure/queue/jobs';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

@Injectable()
export class OutboxJobs {
  constructor(@Inject(OutboxRepository) private readonly rows: OutboxRepository) {}

  /** Daily: dispatched rows older than a week are history the queues no longer need. */
  @JobHandler(JobName.PurgeOutbox, { schedule: { pattern: '40 4 * * *' } })
  async purge(): Promise<{ deleted: number }> {
    return { deleted: await this.rows.purgeSent(7) };
  }
}

@Global()
@Module({ providers: [OutboxRepository, OutboxService, OutboxJobs], exports: [OutboxService] })
export class OutboxModule {}
