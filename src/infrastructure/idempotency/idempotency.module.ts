import { Global, Injectable, Module } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { IdempotencyKeyEntity } from '@/common/idempotency/idempotency-key.entity';
import { IdempotencyInterceptor } from '@/common/idempotency/idempotency.interceptor';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';

export const IdempotencyJobName = {
  PurgeIdempotencyKeys: 'maintenance.purge-idempotency-keys',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    [IdempotencyJobName.PurgeIdempotencyKeys]: Record<string, never>;
  }
}

defineJobs({ [IdempotencyJobName.PurgeIdempotencyKeys]: { queue: QueueName.Maintenance } });

@Injectable()
export class IdempotencyJobs {
  constructor(
    @InjectRepository(IdempotencyKeyEntity) private readonly repo: Repository<IdempotencyKeyEntity>,
  ) {}

  /** Hourly: forget answers older than IDEMPOTENCY_TTL_HOURS. */
  @JobHandler(IdempotencyJobName.PurgeIdempotencyKeys, { schedule: { pattern: '17 * * * *' } })
  async purge(): Promise<{ deleted: number }> {
    const r = await this.repo.delete({ expiresAt: LessThan(new Date()) });
    return { deleted: r.affected ?? 0 };
  }
}

/**
 * Idempotency-Key replays (the interceptor and its table live in src/common, where controllers find them) and
 * the hourly purge of old keys, which needs the queues: hence infrastructure.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyKeyEntity])],
  providers: [IdempotencyInterceptor, IdempotencyJobs],
  // Every controller module builds its own interceptor for @Idempotent() routes: it needs the repository.
  exports: [IdempotencyInterceptor, TypeOrmModule],
})
export class IdempotencyModule {}
