import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, UpdatedAt } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';
import { PrimaryColumn } from 'typeorm';

/** The sandbox gateway's own book: what it would hold on its side of a real integration. */
@Entity('sandbox_transactions')
@Index('ix_sandbox_settled_date', ['settledDate'])
export class SandboxTransactionEntity {
  /** The gateway's reference (`sbx_…`). */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  ref: string;

  /** Our payment id, as the merchant's order number on the gateway side. */
  @Index('uq_sandbox_merchant_ref', { unique: true })
  @Column({ name: 'merchant_ref', type: 'varchar', length: 64 })
  merchantRef: string;

  @Column({ type: 'varchar', length: 12 })
  kind: 'PAYMENT' | 'REFUND';

  /** PENDING, SUCCEEDED, DECLINED, CANCELLED. */
  @Column({ type: 'varchar', length: 12 })
  status: string;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;

  /** For a refund: the payment it returns. */
  @Column({ name: 'parent_ref', type: 'varchar', length: 64, nullable: true })
  parentRef: string | null;

  @Column({ name: 'settled_date', type: 'date', nullable: true })
  settledDate: string | null;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
