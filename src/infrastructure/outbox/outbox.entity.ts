import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

/**
 * Work that other work depends on, written in the same transaction as the state change; the dispatcher
 * moves it to BullMQ with this row's id as the job id, so a retry never enqueues twice.
 */
@Entity('outbox')
@Index('ix_outbox_claimable', ['dispatchedAt', 'runAt', 'id', 'claimedUntil'])
export class OutboxEntity {
  @IdColumn() id: string;

  @Column({ name: 'job_name', type: 'varchar', length: 64 })
  jobName: string;

  @Column({ type: 'json' })
  payload: object;

  /** Run no earlier than this (delayed jobs, such as an order's payment deadline). */
  @Column({ name: 'run_at', type: 'datetime', precision: 3, nullable: true })
  runAt: Date | null;

  @Column({ name: 'dispatched_at', type: 'datetime', precision: 3, nullable: true })
  dispatchedAt: Date | null;

  /** The dispatcher that is sending this row to Redis (a claim committed before the call). */
  @Column({ name: 'claim_token', type: 'char', length: 26, nullable: true })
  claimToken: string | null;

  /** Until then no other dispatcher takes the row; a dispatcher that died leaves it to the others after. */
  @Column({ name: 'claimed_until', type: 'datetime', precision: 3, nullable: true })
  claimedUntil: Date | null;

  @CreatedAt() createdAt: Date;
}
