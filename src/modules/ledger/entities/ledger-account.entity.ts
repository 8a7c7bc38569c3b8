import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAt } from '@/common/entity-columns';

export enum AccountType {
  Household = 'HOUSEHOLD',
  Supplier = 'SUPPLIER',
  Platform = 'PLATFORM',
  PaymentClearing = 'PAYMENT_CLEARING',
  Organization = 'ORGANIZATION',
  VillageCollective = 'VILLAGE_COLLECTIVE',
  Payout = 'PAYOUT',
}

/** One account per owner and type: a household, a supplier, a village collective, the platform… */
@Entity('ledger_accounts')
@Index('uq_ledger_accounts_owner', ['type', 'ownerId'], { unique: true })
export class LedgerAccountEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 24 })
  type: AccountType;

  /** Household id, supplier id, village code, provider name; `platform` for the platform. */
  @Column({ name: 'owner_id', type: 'varchar', length: 64 })
  ownerId: string;

  @CreatedAt() createdAt: Date;
}
