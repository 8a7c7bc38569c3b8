import { defineJobs, JobName as AnyJobName, QueueName } from '@/infrastructure/queue/jobs';
import { toJobs } from './outbox.service';

// Jobs of this spec's own, shaped like the order deadline, the refund reversal and the merged allocation
// (infrastructure imports no module, so it declares them the way their modules do).
const JobName = {
  OrderDeadline: 'spec.deadline',
  ReverseRefund: 'spec.reverse-refund',
  AllocateOrder: 'spec.allocate-order',
} as unknown as Record<'OrderDeadline' | 'ReverseRefund' | 'AllocateOrder', AnyJobName>;
type JobName = AnyJobName;
defineJobs({
  [JobName.OrderDeadline]: { queue: QueueName.Orders },
  [JobName.ReverseRefund]: { queue: QueueName.Ledger },
  [JobName.AllocateOrder]: {
    queue: QueueName.Ledger,
    merge: { key: 'orderId', into: 'orderIds', max: 'ALLOCATION_BATCH' },
  },
});

const row = (id: string, jobName: JobName, payload: object, runAt: Date | null = null) => ({
  id,
  jobName,
  payload: JSON.stringify(payload),
  runAt,
});

describe('toJobs (outbox rows → BullMQ jobs)', () => {
  const now = Date.parse('2026-11-29T04:00:00Z');

  it('one job per row, the row id as job id, delayed rows with their delay', () => {
    expect(
      toJobs(
        [
          row('R1', JobName.OrderDeadline, { orderId: 'O1' }, new Date(now + 30_000)),
          row('R2', JobName.ReverseRefund, { refundId: 'F1' }),
        ],
        now,
        () => 50,
      ),
    ).toEqual([
      { name: JobName.OrderDeadline, data: { orderId: 'O1' }, opts: { jobId: 'R1', delay: 30_000 } },
      { name: JobName.ReverseRefund, data: { refundId: 'F1' }, opts: { jobId: 'R2', delay: 0 } },
    ]);
  });

  it('allocation rows go together, up to 50 a job, named by their first and last rows', () => {
    const rows = Array.from({ length: 120 }, (_, i) =>
      row(`R${String(i).padStart(3, '0')}`, JobName.AllocateOrder, { orderId: `O${i}` }),
    );
    rows.splice(10, 0, row('X', JobName.ReverseRefund, { refundId: 'F1' }));
    const jobs = toJobs(rows, now, () => 50);
    expect(
      jobs.map((j) => [j.name, j.opts.jobId, (j.data as { orderIds?: string[] }).orderIds?.length ?? 0]),
    ).toEqual([
      [JobName.ReverseRefund, 'X', 0],
      [JobName.AllocateOrder, 'R000-R049', 50],
      [JobName.AllocateOrder, 'R050-R099', 50],
      [JobName.AllocateOrder, 'R100-R119', 20],
    ]);
    expect((jobs[1].data as { orderIds: string[] }).orderIds.slice(0, 3)).toEqual(['O0', 'O1', 'O2']);
  });

  it('a single allocation row keeps its row id as the job id', () => {
    expect(toJobs([row('R1', JobName.AllocateOrder, { orderId: 'O1' })], now, () => 50)).toEqual([
      { name: JobName.AllocateOrder, data: { orderIds: ['O1'] }, opts: { jobId: 'R1', delay: 0 } },
    ]);
  });
});
