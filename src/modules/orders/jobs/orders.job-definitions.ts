import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';

/** The order core's jobs (handlers in orders.jobs.ts). */
export const OrdersJobName = {
  OrderDeadline: 'orders.deadline',
  PaymentRecovery: 'orders.payment-recovery',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    [OrdersJobName.OrderDeadline]: { orderId: string };
    [OrdersJobName.PaymentRecovery]: Record<string, never>;
  }
}

defineJobs({
  [OrdersJobName.OrderDeadline]: { queue: QueueName.Orders },
  [OrdersJobName.PaymentRecovery]: { queue: QueueName.Orders },
});
