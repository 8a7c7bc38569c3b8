import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

@Entity('refunds')
export class RefundEntity {
  @IdColumn() id: string;

  @Index('ix_refunds_order')
  @Column({ name: 'order_id', type: 'char', length: 26 })
  orderId: string;

  @Column({ name: 'payment_id', type: 'char', length: 26 })
  paymentId: string;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;

  @Column({ type: 'varchar', length: 255 })
  reason: string;

  @Column({ name: 'provider_ref', type: 'varchar', length: 64, nullable: true })
  providerRef: string | null;

  /** Per line: how many fen of each line this refund returns (the ledger reverses in these proportions). */
  @Column({ name: 'line_amounts', type: 'json' })
  lineAmounts: { lineId: string; amountFen: number }[];

  @Column({ name: 'refund_date', type: 'date' })
  refundDate: string;

  @CreatedAt() createdAt: Date;
}
