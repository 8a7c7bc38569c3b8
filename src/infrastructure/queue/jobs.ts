import type { Env } from '@/config/env';
/** Every queue; a worker copy consumes all of them. */
export enum QueueName {
  Maintenance = 'maintenance',
  Orders = 'orders',
  Ledger = 'ledger',
}

/** Every job, each bound to one queue. */
export enum JobName {
  CertificationSweep = 'catalog.certification-sweep',
  PurgeOtpCodes = 'identity.purge-otp-codes',
  PurgeIdempotencyKeys = 'maintenance.purge-idempotency-keys',
  PurgeOutbox = 'maintenance.purge-outbox',
  OrderDeadline = 'orders.deadline',
  PaymentRecovery = 'orders.payment-recovery',
  AllocateOrder = 'ledger.allocate-order',
  ReverseRefund = 'ledger.reverse-refund',
  MonthlyAccruals = 'ledger.monthly-accruals',
  Reconcile = 'ledger.reconcile',
  MonitorHouseholds = 'ledger.monitor-households',
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.CertificationSweep]: QueueName.Maintenance,
  [JobName.PurgeOtpCodes]: QueueName.Maintenance,
  [JobName.PurgeIdempotencyKeys]: QueueName.Maintenance,
  [JobName.PurgeOutbox]: QueueName.Maintenance,
  [JobName.OrderDeadline]: QueueName.Orders,
  [JobName.PaymentRecovery]: QueueName.Orders,
  [JobName.AllocateOrder]: QueueName.Ledger,
  [JobName.ReverseRefund]: QueueName.Ledger,
  [JobName.MonthlyAccruals]: QueueName.Ledger,
  [JobName.Reconcile]: QueueName.Ledger,
  [JobName.MonitorHouseholds]: QueueName.Ledger,
};

/** The payload of each job: ids and dates, never entities. */
export interface JobPayloads {
  [JobName.CertificationSweep]: { asOf?: string };
  [JobName.PurgeOtpCodes]: Record<string, never>;
  [JobName.PurgeIdempotencyKeys]: Record<string, never>;
  [JobName.PurgeOutbox]: Record<string, never>;
  [JobName.OrderDeadline]: { orderId: string };
  [JobName.PaymentRecovery]: Record<string, never>;
  /** One order, as written to the outbox; the dispatcher hands several at once to one job (`MERGED_JOBS`). */
  [JobName.AllocateOrder]: { orderId: string } | { orderIds: string[] };
  [JobName.ReverseRefund]: { refundId: string };
  /** `month` as YYYY-MM; the month before today (Asia/Shanghai) when omitted. */
  [JobName.MonthlyAccruals]: { month?: string };
  /** `date` as YYYY-MM-DD; yesterday (Asia/Shanghai) when omitted. */
  [JobName.Reconcile]: { date?: string };
  [JobName.MonitorHouseholds]: { asOf?: string };
}

export type JobOf<N extends JobName> = JobPayloads[N];

/**
 * Jobs whose outbox rows the dispatcher may hand over together: up to the setting `max` rows of one such job, each with
 * `{[key]: id}`, become one job with `{[into]: ids}`. The handler does for many what it does for one, in as
 * many round trips; since every such job is idempotent, a batch that runs again posts nothing twice.
 */
export const MERGED_JOBS: Partial<Record<JobName, { key: string; into: string; max: keyof Env }>> = {
  [JobName.AllocateOrder]: { key: 'orderId', into: 'orderIds', max: 'ALLOCATION_BATCH' },
};

export interface JobItem<N extends JobName = JobName> {
  name: N;
  data: JobOf<N>;
}
