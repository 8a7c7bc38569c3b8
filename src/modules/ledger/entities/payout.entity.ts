import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

/** A batch of bank transfers to households: CREATED (money moved to the payout account), then PAID. */
@Entity('payout_batches')
export class PayoutBatchEntity {
  @IdColumn() id: string;

  @Column({ type: 'varchar', length: 12 })
  status: 'CREATED' | 'PAID';

  @MoneyColumn({ name: 'minimum_fen' })
  minimumFen: number;

  @MoneyColumn({ name: 'total_fen' })
  totalFen: number;

  @Column({ name: 'line_count', type: 'int' })
  lineCount: number;

  @Column({ name: 'bank_reference', type: 'varchar', length: 64, nullable: true })
  bankReference: string | null;

  @Column({ name: 'paid_at', type: 'datetime', precision: 3, nullable: true })
  paidAt: Date | null;

  @CreatedAt() createdAt: Date;
}

@Entity('payout_lines')
@Index('uq_payout_lines_batch_household', ['batchId', 'householdId'], { unique: true })
export class PayoutLineEntity {
  @IdColumn() id: string;

  @Column({ name: 'batch_id', type: 'char', length: 26 })
  batchId: string;

  @Index('ix_payout_lines_household')
  @Column({ name: 'household_id', type: 'char', length: 26 })
  householdId: string;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;
}
