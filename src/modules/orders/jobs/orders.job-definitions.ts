import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';

/** The order core's jobs (handlers in orders.jobs.ts). */
export const OrdersJobName = {
  OrderDeadline: 'orders.deadline',
  PaymentRecovery: 'orders.payment-recovery',
} as const;

/**
 * What the order core asks of the ledger: allocate a paid order, reverse a refund. Declared here, by the side
 * that enqueues them, because the ledger imports the order core and never the reverse; the ledger handles
 * them (ledger.jobs.ts).
 */
export const LedgerInboxJobName = {
  AllocateOrder: 'ledger.allocate-order',
  ReverseRefund: 'ledger.reverse-refund',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    [OrdersJobName.OrderDeadline]: { orderId: string };
    [OrdersJobName.PaymentRecovery]: Record<string, never>;
    /** One order, as written to the outbox; the dispatcher hands several at once to one job (merged below). */
    [LedgerInboxJobName.AllocateOrder]: { orderId: string } | { orderIds: string[] };
    [LedgerInboxJobName.ReverseRefund]: { refundId: string };
  }
}

defineJobs({
  [OrdersJobName.OrderDeadline]: { queue: QueueName.Orders },
  [OrdersJobName.PaymentRecovery]: { queue: QueueName.Orders },
  [LedgerInboxJobName.AllocateOrder]: {
    queue: QueueName.Ledger,
    merge: { key: 'orderId', into: 'orderIds', max: 'ALLOCATION_BATCH' },
  },
  [LedgerInboxJobName.ReverseRefund]: { queue: QueueName.Ledger },
});
