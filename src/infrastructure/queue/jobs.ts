/** Every queue; a worker copy consumes all of them. */
export enum QueueName {
  Maintenance = 'maintenance',
}

/** Every job, each bound to one queue. */
export enum JobName {
  CertificationSweep = 'catalog.certification-sweep',
  PurgeOtpCodes = 'identity.purge-otp-codes',
  PurgeIdempotencyKeys = 'maintenance.purge-idempotency-keys',
}

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.CertificationSweep]: QueueName.Maintenance,
  [JobName.PurgeOtpCodes]: QueueName.Maintenance,
  [JobName.PurgeIdempotencyKeys]: QueueName.Maintenance,
};

/** The payload of each job: ids and dates, never entities. */
export interface JobPayloads {
  [JobName.CertificationSweep]: { asOf?: string };
  [JobName.PurgeOtpCodes]: Record<string, never>;
  [JobName.PurgeIdempotencyKeys]: Record<string, never>;
}

export type JobOf<N extends JobName> = JobPayloads[N];

export interface JobItem<N extends JobName = JobName> {
  name: N;
  data: JobOf<N>;
}
