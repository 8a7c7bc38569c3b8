import type { Env } from '@/config/env';

/** Every queue; a worker copy consumes all of them. */
export enum QueueName {
  Maintenance = 'maintenance',
  Orders = 'orders',
  Ledger = 'ledger',
}

/**
 * The payload of each job by job name: ids and dates, never entities. Empty here: the module that owns a job
 * declares it in its jobs/ folder by declaration merging, and binds it to a queue with `defineJobs`, so that
 * adding a job edits no file of the queue infrastructure:
 *
 *   export const LedgerJobName = { Reconcile: 'ledger.reconcile' } as const;
 *   declare module '@/infrastructure/queue/jobs' {
 *     interface JobPayloads { [LedgerJobName.Reconcile]: { date?: string } }
 *   }
 *   defineJobs({ [LedgerJobName.Reconcile]: { queue: QueueName.Ledger } });
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the modules (see above)
export interface JobPayloads {}

/** Every job's name. */
export type JobName = Extract<keyof JobPayloads, string>;

export type JobOf<N extends JobName> = JobPayloads[N];

/**
 * A job whose outbox rows the dispatcher may hand over together: up to the setting `max` rows of the job, each
 * with `{[key]: id}`, become one job with `{[into]: ids}`. The handler does for many what it does for one, in as
 * many round trips; since every such job is idempotent, a batch that runs again posts nothing twice.
 */
export interface MergedJob {
  key: string;
  into: string;
  max: keyof Env;
}

export interface JobDefinition {
  queue: QueueName;
  merge?: MergedJob;
}

/** The queue of every job declared so far (`defineJobs`). */
export const JOB_QUEUE = {} as Record<JobName, QueueName>;

/** The jobs the outbox dispatcher merges (`MergedJob`), declared with `defineJobs`. */
export const MERGED_JOBS: Partial<Record<JobName, MergedJob>> = {};

/**
 * Binds a module's jobs to their queues; called once, when the module's job declarations are loaded. A name
 * that another module already declared is refused.
 */
export function defineJobs(jobs: Partial<Record<JobName, JobDefinition>>): void {
  for (const [name, def] of Object.entries(jobs) as [JobName, JobDefinition][]) {
    if (Object.hasOwn(JOB_QUEUE, name)) {
      throw new Error(`The job ${name} is declared twice`);
    }
    JOB_QUEUE[name] = def.queue;
    if (def.merge) {
      MERGED_JOBS[name] = def.merge;
    }
  }
}

/** The queue a job goes to; throws for a name no module declared with `defineJobs`. */
export function queueOf(name: JobName): QueueName {
  const queue = JOB_QUEUE[name];
  if (!queue) {
    throw new Error(`The job ${name} is bound to no queue: its module declares it with defineJobs`);
  }
  return queue;
}

export interface JobItem<N extends JobName = JobName> {
  name: N;
  data: JobOf<N>;
}
