import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

export enum EntryKind {
  Sale = 'SALE',
  Refund = 'REFUND',
  Accrual = 'ACCRUAL',
  PickingFee = 'PICKING_FEE',
  DividendTrueUp = 'DIVIDEND_TRUE_UP',
  Payout = 'PAYOUT',
  PayoutPaid = 'PAYOUT_PAID',
  FairSale = 'FAIR_SALE',
}

/**
 * One balanced set of postings. The idempotency key makes a retried write post once: `sale:<lineId>`,
 * `refund:<refundId>:<lineId>`, `accrual:<linkageId>:<YYYY-MM>`, …
 */
@Entity('journal_entries')
@Index('ix_entries_date_kind', ['businessDate', 'kind'])
export class JournalEntryEntity {
  @IdColumn() id: string;

  @Index('uq_entries_idempotency_key', { unique: true })
  @Column({ name: 'idempotency_key', type: 'varchar', length: 120 })
  idempotencyKey: string;

  @Column({ type: 'varchar', length: 24 })
  kind: EntryKind;

  @Index('ix_entries_order')
  @Column({ name: 'order_id', type: 'char', length: 26, nullable: true })
  orderId: string | null;

  @Index('ix_entries_order_line')
  @Column({ name: 'order_line_id', type: 'char', length: 26, nullable: true })
  orderLineId: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  channel: string | null;

  @Column({ name: 'business_date', type: 'date' })
  businessDate: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  memo: string | null;

  @CreatedAt() createdAt: Date;
}
