import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Statement } from '@/infrastructure/database/transaction';
import { Env, ENV } from '@/config/env';
import { newId } from '@/common/ids';
import { JOB_QUEUE, JobName, JobOf, MERGED_JOBS, QueueName } from '@/infrastructure/queue/jobs';
import { QueueService } from '@/infrastructure/queue/queue.service';
import { OutboxClaim, OutboxRepository, OutboxRow } from './outbox.repository';

const BATCH = 500;
const KICK_DELAY_MS = 5;
/**
 * A delayed row (an order's payment deadline) stays in the table until this long before it is due, then
 * goes to BullMQ as a delayed job; until then the state change that makes it moot (the payment) can delete it.
 */
export const LEAD_MS = 60_000;
/**
 * How long a claim keeps other dispatchers off its rows. Far longer than an enqueue takes; a dispatcher
 * that died mid-claim delays its rows by at most this much.
 */
export const CLAIM_LEASE_SECONDS = 30;

/**
 * The transactional outbox. `add` writes a row with the state change it belongs to; the dispatcher moves
 * committed rows to BullMQ (job id = row id, so a row dispatched twice is one job) and marks them sent.
 * With Redis down the rows wait and flow once it is back. Every process runs a dispatcher: each claims its
 * rows in a short transaction of its own (a token and a lease, committed), calls Redis with no transaction
 * open, then marks them sent, so no lock is ever held across a Redis call and copies do not step on each
 * other.
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private again = false;
  private stopped = false;
  private soon: NodeJS.Timeout | undefined;

  constructor(
    @Inject(OutboxRepository) private readonly rows: OutboxRepository,
    @Inject(QueueService) private readonly queues: QueueService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Records a job inside the caller's transaction; it is enqueued only if that transaction commits. */
  async add<N extends JobName>(em: EntityManager, name: N, data: JobOf<N>, runAt?: Date): Promise<string> {
    const id = newId();
    const [sql, params] = this.statement(name, data, { id, runAt });
    await em.query(sql, params as unknown[]);
    return id;
  }

  /**
   * The statement that records a job (a typed intent: its name and payload), for a batched transaction
   * (`withBatchTransaction`). With `ifPreviousChanged`, the job is recorded only if the statement just before
   * it in the batch changed a row (an order that became PAID just now is allocated; a repeat is not).
   */
  statement<N extends JobName>(
    name: N,
    data: JobOf<N>,
    opts: { id?: string; runAt?: Date; ifPreviousChanged?: boolean } = {},
  ): Statement {
    return this.rows.insertStatement(
      { id: opts.id ?? newId(), jobName: name, payload: data as object, runAt: opts.runAt ?? null },
      { ifPreviousChanged: opts.ifPreviousChanged },
    );
  }

  /**
   * The statement that withdraws a job not sent yet (a payment deadline the payment made moot), by the id it
   * was recorded under; with `ifPreviousChanged`, only if the statement just before it changed a row.
   */
  withdrawStatement(id: string, name: JobName, opts: { ifPreviousChanged?: boolean } = {}): Statement {
    return this.rows.deleteUnsentStatement(id, name, opts);
  }

  /**
   * Asks for a dispatch round soon (after a commit) instead of at the next poll. Kicks within a few
   * milliseconds share one round, so a burst of commits costs one query, not one each.
   */
  kick(): void {
    if (this.stopped || this.soon) {
      return;
    }
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.round();
    }, KICK_DELAY_MS);
  }

  private round(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.dispatch()
      .catch((e: unknown) =>
        this.logger.warn(`dispatch failed, rows wait for the next round: ${(e as Error).message}`),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.round();
        }
      });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.round(), this.env.OUTBOX_POLL_MS);
    this.timer.unref();
    this.queues.connection.on('ready', this.onRedisReady);
    this.onRedisReady();
  }

  /** On every (re)connection to Redis: a Redis that came back empty gets the rows' jobs again. */
  private readonly onRedisReady = (): void => {
    if (this.stopped) {
      return;
    }
    this.redispatchIfRedisLost().catch((e: unknown) =>
      this.logger.warn(`could not check Redis for lost jobs: ${(e as Error).message}`),
    );
  };

  /**
   * A row marked dispatched has its job only in Redis. A Redis that lost its data (restarted without
   * persistence, failed over to a replica that missed writes) no longer holds the marker key written here,
   * so every row kept is dispatched again: the job id de-duplicates and every job is idempotent. Returns how
   * many rows were sent again.
   */
  async redispatchIfRedisLost(): Promise<number> {
    const key = `${this.queues.prefix}:outbox:marker`;
    if ((await this.queues.connection.exists(key)) === 1) {
      return 0;
    }
    const n = await this.rows.unsendAll();
    await this.queues.connection.set(key, new Date().toISOString());
    if (n > 0) {
      this.logger.warn(`Redis holds none of the dispatched jobs: ${n} outbox rows sent again`);
      this.kick();
    }
    return n;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.queues.connection.off('ready', this.onRedisReady);
    clearInterval(this.timer);
    clearTimeout(this.soon);
    await this.running;
  }

  /** Moves up to a few batches of committed rows that are due (or soon due) to their queues. */
  async dispatch(): Promise<number> {
    let moved = 0;
    for (let round = 0; round < 20; round++) {
      const claim = await this.rows.claimDue(BATCH, new Date(Date.now() + LEAD_MS), CLAIM_LEASE_SECONDS);
      if (claim.rows.length === 0) {
        break;
      }
      moved += await this.send(claim);
      if (claim.rows.length < BATCH) {
        break;
      }
    }
    return moved;
  }

  /**
   * Enqueues a claim's jobs, queue by queue, and marks the rows sent. If Redis fails a call, the rows
   * already enqueued are marked sent and the others given back for the next round.
   */
  private async send({ token, rows }: OutboxClaim): Promise<number> {
    const byQueue = new Map<QueueName, OutboxRow[]>();
    for (const r of rows) {
      const queue = JOB_QUEUE[r.jobName];
      const queued = byQueue.get(queue);
      if (queued) {
        queued.push(r);
      } else {
        byQueue.set(queue, [r]);
      }
    }
    const sent: string[] = [];
    for (const [queue, queued] of byQueue) {
      try {
        await this.queues.queue(queue).addBulk(toJobs(queued, Date.now(), (max) => Number(this.env[max])));
      } catch (e) {
        const done = new Set(sent);
        const unsent = rows.map((r) => r.id).filter((id) => !done.has(id));
        // Given back at once; should even that fail, their lease runs out instead.
        await this.rows
          .markSent(token, sent)
          .then(() => this.rows.release(token, unsent))
          .catch((err: unknown) =>
            this.logger.warn(`could not give back claimed outbox rows: ${(err as Error).message}`),
          );
        throw e;
      }
      sent.push(...queued.map((r) => r.id));
    }
    return this.rows.markSent(token, sent);
  }

  /** Rows due (or soon due) and not yet dispatched (for health and tests). */
  async backlog(): Promise<number> {
    return this.rows.countDue(new Date(Date.now() + LEAD_MS));
  }
}

type OutboxJob = { name: string; data: object; opts: { jobId: string; delay: number } };

/**
 * The jobs for a batch of rows: one per row (job id = row id), except that rows of a merged job
 * (`MERGED_JOBS`) due now go together, up to its maximum, as one job whose id names its first and last rows.
 */
export function toJobs(rows: OutboxRow[], now: number, setting: (name: keyof Env) => number): OutboxJob[] {
  const jobs: OutboxJob[] = [];
  const open = new Map<JobName, { ids: string[]; values: unknown[] }>();
  const close = (name: JobName) => {
    const m = open.get(name);
    const spec = MERGED_JOBS[name]!;
    if (m) {
      jobs.push({
        name,
        data: { [spec.into]: m.values },
        opts: { jobId: m.ids.length === 1 ? m.ids[0] : `${m.ids[0]}-${m.ids[m.ids.length - 1]}`, delay: 0 },
      });
      open.delete(name);
    }
  };
  for (const r of rows) {
    const data = (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<
      string,
      unknown
    >;
    const spec = MERGED_JOBS[r.jobName];
    if (spec && !r.runAt && spec.key in data) {
      const m = open.get(r.jobName) ?? { ids: [], values: [] };
      m.ids.push(r.id);
      m.values.push(data[spec.key]);
      open.set(r.jobName, m);
      if (m.ids.length >= setting(spec.max)) {
        close(r.jobName);
      }
      continue;
    }
    const delay = r.runAt ? Math.max(0, new Date(r.runAt).getTime() - now) : 0;
    jobs.push({ name: r.jobName, data, opts: { jobId: r.id, delay } });
  }
  [...open.keys()].forEach(close);
  return jobs;
}
