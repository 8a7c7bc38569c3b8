import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn, UpdatedAt } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

export enum PaymentStatus {
  Pending = 'PENDING',
  Captured = 'CAPTURED',
  Failed = 'FAILED',
  Cancelled = 'CANCELLED',
}

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

  /** The order's id while this payment is PENDING, else null: unique, so an order has one open payment. */
  @Index('uq_payments_open_order', { unique: true })
  @Column({
    name: 'open_order_id',
    type: 'char',
    length: 26,
    nullable: true,
    generatedType: 'STORED',
    asExpression: "IF(`status` = 'PENDING', RTRIM(`order_id`), NULL)",
    insert: false,
    update: false,
    select: false,
  })
  openOrderId?: string | null;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
