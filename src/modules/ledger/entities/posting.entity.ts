import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { MoneyColumn } from '@/common/money';

/** What kind of income a posting is, as the household income statement groups it. */
export enum IncomeSource {
  Sale = 'SALE',
  Dividend = 'DIVIDEND',
  ManagementFee = 'MANAGEMENT_FEE',
  PickingFee = 'PICKING_FEE',
  Wage = 'WAGE',
  Fee = 'FEE',
  Settlement = 'SETTLEMENT',
  Payout = 'PAYOUT',
}

/**
 * One line of a journal entry: a signed amount on one account (positive: the account's owner is owed more).
 * A posting is PENDING until `availableOn` (the channel's refund window), AVAILABLE from then on; a posting
 * with no `availableOn` waits for an event (a procurement acceptance).
 */
@Entity('postings')
@Index('ix_postings_account_date', ['accountId', 'businessDate'])
@Index('ix_postings_lot', ['lotId'])
export class PostingEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Index('ix_postings_entry')
  @Column({ name: 'entry_id', type: 'char', length: 26 })
  entryId: string;

  @Column({ name: 'account_id', type: 'bigint' })
  accountId: string;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;

  @Column({ type: 'varchar', length: 20 })
  source: IncomeSource;

  @Column({ type: 'varchar', length: 16, nullable: true })
  channel: string | null;

  @Column({ name: 'available_on', type: 'date', nullable: true })
  availableOn: string | null;

  @Column({ name: 'business_date', type: 'date' })
  businessDate: string;

  @Column({ name: 'lot_id', type: 'char', length: 26, nullable: true })
  lotId: string | null;

  /** The supplier whose sale or agreement this posting comes from. */
  @Column({ name: 'supplier_id', type: 'char', length: 26, nullable: true })
  supplierId: string | null;

  /** For a tiered dividend: the sale amount it was a share of, and the rate used, for the season's true-up. */
  @MoneyColumn({ name: 'base_fen', nullable: true })
  baseFen: number | null;

  @Column({ name: 'rate_bps', type: 'int', nullable: true })
  rateBps: number | null;
}
