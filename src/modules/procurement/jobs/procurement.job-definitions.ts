import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';

/** Unit procurement's jobs (handlers in procurement.jobs.ts). */
export const ProcurementJobName = {
  /** Every morning: approvers of units with accepted orders past their payment due date get an SMS. */
  RemindOverdue: 'procurement.remind-overdue',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    [ProcurementJobName.RemindOverdue]: { today?: string };
  }
}

defineJobs({
  [ProcurementJobName.RemindOverdue]: { queue: QueueName.Maintenance },
});
