import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';

/** The livestream's jobs (handlers in livestream.jobs.ts). */
export const LiveJobName = {
  /** A cancelled order's units go back to the offer's flash stock in Redis (after the cancellation commits). */
  UnitsReleased: 'live.units-released',
  /** Imports a platform's order export handed in for a session. */
  Import: 'live.import',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    [LiveJobName.UnitsReleased]: {
      offerId: string;
      perBuyerLimit: number | null;
      buyerUserId: string;
      units: number[];
    };
    [LiveJobName.Import]: { importId: string };
  }
}

defineJobs({
  [LiveJobName.UnitsReleased]: { queue: QueueName.Orders },
  [LiveJobName.Import]: { queue: QueueName.Maintenance },
});
