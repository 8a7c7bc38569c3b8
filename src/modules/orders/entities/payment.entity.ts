import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn, UpdatedAt } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

export enum PaymentStatus {
  Pending = 'PENDING',
  Captured = 'CAPTURED',
  Failed = 'FAILED',
  Cancelled = 'CANCELLED',
}

/**
 * The table also holds `open_order_id`, a stored column (migration CheckoutPaths) that is the order's id while
 * the payment is PENDING and null otherwise, under a unique index: the database keeps one open payment per
 * order. It is not mapped here: nothing writes it, and a mapped generated column makes TypeORM keep a
 * metadata table of its own.
 */
@Entity('payments')
@Index('uq_payments_provider_ref', ['provider', 'providerRef'], { unique: true })
@Index('ix_payments_status_created', ['status', 'createdAt'])
@Index('ix_payments_captured_date', ['capturedDate'])
export class PaymentEntity {
  @IdColumn() id: string;

  @Index('ix_payments_order')
  @Column({ name: 'order_id', type: 'char', length: 26 })
  orderId: string;

  @Column({ type: 'varchar', length: 32 })
  provider: string;

  /** The provider's own reference; set once the provider has accepted the payment. */
  @Column({ name: 'provider_ref', type: 'varchar', length: 64, nullable: true })
  providerRef: string | null;

  @Column({ type: 'varchar', length: 16 })
  status: PaymentStatus;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;

  @Column({ name: 'failure_reason', type: 'varchar', length: 255, nullable: true })
  failureReason: string | null;

  @Column({ name: 'captured_at', type: 'datetime', precision: 3, nullable: true })
  capturedAt: Date | null;

  @Column({ name: 'captured_date', type: 'date', nullable: true })
  capturedDate: string | null;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
