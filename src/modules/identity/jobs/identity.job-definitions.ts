import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';

/** Identity's jobs (handlers in identity.jobs.ts). */
export const IdentityJobName = {
  PurgeOtpCodes: 'identity.purge-otp-codes',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    [IdentityJobName.PurgeOtpCodes]: Record<string, never>;
  }
}

defineJobs({
  [IdentityJobName.PurgeOtpCodes]: { queue: QueueName.Maintenance },
});
