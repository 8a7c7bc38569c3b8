import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Job, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Env, ENV } from '@/config/env';
import { redisOptions } from '@/infrastructure/redis/redis.module';
import { JOB_HANDLER_KEY, JobHandlerOptions } from './job-handler.decorator';
import { JOB_QUEUE, JobName, QueueName, queueOf } from './jobs';
import { QueueService } from './queue.service';

type Handler = (data: unknown, job: Job) => Promise<unknown>;
export const WORKER_ENABLED = Symbol('WORKER_ENABLED');

/**
 * The worker role: finds every @JobHandler, refuses to start if a job (declared by its module with
 * `defineJobs`) has no handler or two, or a handler's job was never declared; registers job schedulers and
 * consumes every queue. Closing waits for the jobs in hand.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private readonly workers: Worker[] = [];
  private readonly connections: IORedis[] = [];
  readonly handlers = new Map<JobName, { fn: Handler; options: JobHandlerOptions }>();

  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(WORKER_ENABLED) private readonly enabled: boolean,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(QueueService) private readonly queues: QueueService,
  ) {}

  /** Collects the handlers; throws when a job has none or more than one, or a handler no declared job. */
  discover(): void {
    const found = new Map<JobName, { fn: Handler; options: JobHandlerOptions }[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') {
        continue;
      }
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const meta = Reflect.getMetadata(JOB_HANDLER_KEY, (instance as Record<string, object>)[method]) as
          { name: JobName; options: JobHandlerOptions } | undefined;
        if (meta) {
          const fn = (instance[method] as Handler).bind(instance);
          found.set(meta.name, [...(found.get(meta.name) ?? []), { fn, options: meta.options }]);
        }
      }
    }
    const problems: string[] = [];
    for (const name of Object.keys(JOB_QUEUE) as JobName[]) {
      const list = found.get(name) ?? [];
      if (list.length !== 1) {
        problems.push(`${name} has ${list.length} handlers`);
      } else {
        this.handlers.set(name, list[0]);
      }
    }
    for (const name of found.keys()) {
      if (!Object.hasOwn(JOB_QUEUE, name)) {
        problems.push(`${name} has a handler but was never declared`);
      }
    }
    if (problems.length > 0) {
      throw new Error(
        `The worker cannot start: ${problems.join('; ')} (each job is declared with defineJobs and has exactly one handler)`,
      );
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    this.discover();
    if (!this.enabled) {
      return;
    }
    await this.registerSchedulers();
    // Schedulers live in Redis: one that came back empty has none, so each reconnection registers them
    // again (an upsert changes nothing when they are there).
    this.queues.connection.on('ready', this.onRedisReady);
    for (const queue of Object.values(QueueName)) {
      const [url, opts] = redisOptions(this.env.REDIS_URL, { connectionName: `cs-worker-${queue}` });
      const connection = new IORedis(url, opts);
      connection.on('error', () => undefined);
      this.connections.push(connection);
      const worker = new Worker(queue, (job) => this.run(job), {
        connection,
        prefix: this.env.QUEUE_PREFIX,
        concurrency: this.env.WORKER_CONCURRENCY,
      });
      worker.on('failed', (job, err) =>
        this.logger.warn(
          { jobId: job?.id, job: job?.name, attempts: job?.attemptsMade, err: err.message },
          'job failed',
        ),
      );
      worker.on('error', (err) => this.logger.warn(`worker ${queue}: ${err.message}`));
      this.workers.push(worker);
    }
    this.logger.log(`consuming ${Object.values(QueueName).join(', ')}`);
  }

  private async registerSchedulers(): Promise<void> {
    for (const [name, { options }] of this.handlers) {
      if (options.schedule) {
        await this.queues
          .queue(queueOf(name))
          .upsertJobScheduler(name, { tz: 'Asia/Shanghai', ...options.schedule }, { name, data: {} });
      }
    }
  }

  private readonly onRedisReady = (): void => {
    this.registerSchedulers().catch((e: unknown) =>
      this.logger.warn(`could not register the job schedulers again: ${(e as Error).message}`),
    );
  };

  private async run(job: Job): Promise<unknown> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) {
      throw new Error(`No handler for job ${job.name}`);
    }
    return handler.fn(job.data, job);
  }

  async onApplicationShutdown(): Promise<void> {
    this.queues.connection?.off('ready', this.onRedisReady);
    // close() waits for the jobs in hand to finish.
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
