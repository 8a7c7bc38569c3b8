import { Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobName } from '@/infrastructure/queue/jobs';
import { OutboxService } from './outbox.service';

@Injectable()
export class OutboxJobs {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Daily: dispatched rows older than a week are history the queues no longer need. */
  @JobHandler(JobName.PurgeOutbox, { schedule: { pattern: '40 4 * * *' } })
  async purge(): Promise<{ deleted: number }> {
    const r = (await this.db.query(
      'DELETE FROM outbox WHERE dispatched_at IS NOT NULL AND dispatched_at < NOW(3) - INTERVAL 7 DAY',
    )) as { affectedRows: number };
    return { deleted: r.affectedRows };
  }
}

@Global()
@Module({ providers: [OutboxService, OutboxJobs], exports: [OutboxService] })
export class OutboxModule {}
