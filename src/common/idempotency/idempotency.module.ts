import { Global, Injectable, Module } from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { JobHandler } from '@/infrastructure/queue/job-handler.decorator';
import { JobName } from '@/infrastructure/queue/jobs';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IdempotencyInterceptor } from './idempotency.interceptor';

@Injectable()
export class IdempotencyJobs {
  constructor(
    @InjectRepository(IdempotencyKeyEntity) private readonly repo: Repository<IdempotencyKeyEntity>,
  ) {}

  /** Hourly: forget answers older than IDEMPOTENCY_TTL_HOURS. */
  @JobHandler(JobName.PurgeIdempotencyKeys, { schedule: { pattern: '17 * * * *' } })
  async purge(): Promise<{ deleted: number }> {
    const r = await this.repo.delete({ expiresAt: LessThan(new Date()) });
    return { deleted: r.affected ?? 0 };
  }
}

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([IdempotencyKeyEntity])],
  providers: [IdempotencyInterceptor, IdempotencyJobs],
  // Every controller module builds its own interceptor for @Idempotent() routes: it needs the repository.
  exports: [IdempotencyInterceptor, TypeOrmModule],
})
export class IdempotencyModule {}
