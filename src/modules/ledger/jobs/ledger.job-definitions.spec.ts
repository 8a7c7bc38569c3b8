import { JOB_QUEUE, MERGED_JOBS, QueueName } from '@/infrastructure/queue/jobs';
import { LedgerJobName } from './ledger.job-definitions';

describe('the ledger declares its jobs', () => {
  it('on the ledger queue, with paid orders allocated in batches of ALLOCATION_BATCH', () => {
    for (const name of Object.values(LedgerJobName)) {
      expect(JOB_QUEUE[name]).toBe(QueueName.Ledger);
    }
    expect(MERGED_JOBS).toEqual({
      [LedgerJobName.AllocateOrder]: { key: 'orderId', into: 'orderIds', max: 'ALLOCATION_BATCH' },
    });
  });
});
