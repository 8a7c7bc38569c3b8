import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';
import { LedgerInboxJobName } from '@/modules/orders/jobs/orders.job-definitions';

/**
 * The ledger's jobs (handlers in ledger.jobs.ts): its own, and the two the order core enqueues for it
 * (declared by the order core: see LedgerInboxJobName).
 */
export const LedgerJobName = {
  ...LedgerInboxJobName,
  MonthlyAccruals: 'ledger.monthly-accruals',
  Reconcile: 'ledger.reconcile',
  MonitorHouseholds: 'ledger.monitor-households',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    /** `month` as YYYY-MM; the month before today (Asia/Shanghai) when omitted. */
    [LedgerJobName.MonthlyAccruals]: { month?: string };
    /** `date` as YYYY-MM-DD; yesterday (Asia/Shanghai) when omitted. */
    [LedgerJobName.Reconcile]: { date?: string };
    [LedgerJobName.MonitorHouseholds]: { asOf?: string };
  }
}

defineJobs({
  [LedgerJobName.MonthlyAccruals]: { queue: QueueName.Ledger },
  [LedgerJobName.Reconcile]: { queue: QueueName.Ledger },
  [LedgerJobName.MonitorHouseholds]: { queue: QueueName.Ledger },
});
