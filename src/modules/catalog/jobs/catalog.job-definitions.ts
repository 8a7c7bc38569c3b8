import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';

/** The catalog's jobs (handlers in certification.jobs.ts). */
export const CatalogJobName = {
  CertificationSweep: 'catalog.certification-sweep',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    /** `asOf` as YYYY-MM-DD; today (Asia/Shanghai) when omitted. */
    [CatalogJobName.CertificationSweep]: { asOf?: string };
  }
}

defineJobs({
  [CatalogJobName.CertificationSweep]: { queue: QueueName.Maintenance },
});
