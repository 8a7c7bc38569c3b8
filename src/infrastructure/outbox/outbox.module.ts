import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';
import { OutboxEntity } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

export const OutboxJobName = {
  PurgeOutbox: 'maintenance.purge-outbox',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    [OutboxJobName.PurgeOutbox]: Record<string, never>;
  }
}

defineJobs({ [OutboxJobName.PurgeOutbox]: { queue: QueueName.Maintenance } });

@Injectable()
export class OutboxJobs {
  constructor(@Inject(OutboxRepository) private readonly rows: OutboxRepository) {}

  /** Daily: dispatched rows older than a week are history the queues no longer need. */
  @JobHandler(OutboxJobName.PurgeOutbox, { schedule: { pattern: '40 4 * * *' } })
  async purge(): Promise<{ deleted: number }> {
    return { deleted: await this.rows.purgeSent(7) };
  }
}

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([OutboxEntity])],
  providers: [OutboxRepository, OutboxService, OutboxJobs],
  exports: [OutboxService],
})
export class OutboxModule {}
