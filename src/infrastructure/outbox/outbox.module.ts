import { Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';
import { OutboxEntity } from './outbox.entity';
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
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Daily: dispatched rows older than a week are history the queues no longer need. */
  @JobHandler(OutboxJobName.PurgeOutbox, { schedule: { pattern: '40 4 * * *' } })
  async purge(): Promise<{ deleted: number }> {
    const r = (await this.db.query(
      'DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < NOW(3) - INTERVAL 7 DAY',
    )) as { affectedRows: number };
    return { deleted: r.affectedRows };
  }
}

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([OutboxEntity])],
  providers: [OutboxService, OutboxJobs],
  exports: [OutboxService],
})
export class OutboxModule {}
