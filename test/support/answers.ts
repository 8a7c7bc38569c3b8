import { businessDate } from '@/common/time';

/** The fields a 400 answer names, sorted. */
export const fields = (body: { errors?: { field: string }[] }) =>
  (body.errors ?? []).map((e) => e.field).sort();

/** The business date (Asia/Shanghai) `days` from today. */
export const businessDay = (days = 0) => businessDate(new Date(Date.now() + days * 86_400_000));
