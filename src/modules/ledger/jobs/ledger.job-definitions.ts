import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';

/** The ledger's jobs (handlers in ledger.jobs.ts); the order core enqueues the allocation and the reversal. */
export const LedgerJobName = {
  AllocateOrder: 'ledger.allocate-order',
  ReverseRefund: 'ledger.reverse-refund',
  MonthlyAccruals: 'ledger.monthly-accruals',
  Reconcile: 'ledger.reconcile',
  MonitorHouseholds: 'ledger.monitor-households',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    /** One order, as written to the outbox; the dispatcher hands several at once to one job (merged below). */
    [LedgerJobName.AllocateOrder]: { orderId: string } | { orderIds: string[] };
    [LedgerJobName.ReverseRefund]: { refundId: string };
    /** `month` as YYYY-MM; the month before today (Asia/Shanghai) when omitted. */
    [LedgerJobName.MonthlyAccruals]: { month?: string };
    /** `date` as YYYY-MM-DD; yesterday (Asia/Shanghai) when omitted. */
    [LedgerJobName.Reconcile]: { date?: string };
    [LedgerJobName.MonitorHouseholds]: { asOf?: string };
  }
}

defineJobs({
  [LedgerJobName.AllocateOrder]: {
    queue: QueueName.Ledger,
    merge: { key: 'orderId', into: 'orderIds', max: 'ALLOCATION_BATCH' },
  },
  [LedgerJobName.ReverseRefund]: { queue: QueueName.Ledger },
  [LedgerJobName.MonthlyAccruals]: { queue: QueueName.Ledger },
  [LedgerJobName.Reconcile]: { queue: QueueName.Ledger },
  [LedgerJobName.MonitorHouseholds]: { queue: QueueName.Ledger },
});
