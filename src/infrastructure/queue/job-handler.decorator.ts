import { SetMetadata } from '@nestjs/common';
import { RepeatOptions } from 'bullmq';
import { JobName } from './jobs';

export const JOB_HANDLER_KEY = 'cs:job-handler';

export interface JobHandlerOptions {
  /** A BullMQ job scheduler for this job (cron in Asia/Shanghai unless `tz` is set). */
  schedule?: Omit<RepeatOptions, 'key'>;
  attempts?: number;
}

/** Marks a provider method as the one handler of a job; options live next to the handler. */
export const JobHandler = (name: JobName, options: JobHandlerOptions = {}) =>
  SetMetadata(JOB_HANDLER_KEY, { name, options });
