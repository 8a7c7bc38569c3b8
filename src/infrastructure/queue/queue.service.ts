import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import IORedis from 'ioredis';
import { Env, ENV } from '@/config/env';
import { redisOptions } from '@/infrastructure/redis/redis.module';
import { JobName, JobOf, QueueName, queueOf } from './jobs';

/** Defaults for every job, in one place. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};

@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();
  readonly connection: IORedis;

  constructor(@Inject(ENV) private readonly env: Env) {
    const [url, opts] = redisOptions(env.REDIS_URL, { connectionName: 'cs-queue' });
    this.connection = new IORedis(url, opts);
    this.connection.on('error', () => undefined);
  }

  get prefix(): string {
    return this.env.QUEUE_PREFIX;
  }

  queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  /** Adds a job; `jobId` de-duplicates (a job with the same id is not added twice). */
  async add<N extends JobName>(name: N, data: JobOf<N>, opts: JobsOptions = {}): Promise<void> {
    await this.queue(queueOf(name)).add(name, data, opts);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
