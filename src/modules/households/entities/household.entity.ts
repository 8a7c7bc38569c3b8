import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn, UpdatedAt } from '@/common/entity-columns';

export enum HouseholdStatus {
  Poor = 'POOR',
  Lifted = 'LIFTED',
  Monitored = 'MONITORED',
}

/** A registered household; ID number, phone and bank account are stored only encrypted. */
@Entity('households')
@Index('ix_households_village_status', ['villageCode', 'status'])
export class HouseholdEntity {
  @IdColumn() id: string;

  @Index('uq_households_registry_no', { unique: true })
  @Column({ name: 'registry_no', type: 'varchar', length: 64 })
  registryNo: string;

  @Column({ name: 'head_name', type: 'varchar', length: 64 })
  headName: string;

  @Column({ name: 'id_number_enc', type: 'varchar', length: 255 })
  idNumberEnc: string;

  /** Keyed hash of the ID number: one household per person, found without decrypting. */
  @Index('uq_households_id_number_hash', { unique: true })
  @Column({ name: 'id_number_hash', type: 'char', length: 64 })
  idNumberHash: string;

  /** The masked form, kept so that listing needs no decryption. */
  @Column({ name: 'id_number_masked', type: 'varchar', length: 32 })
  idNumberMasked: string;

  @Column({ name: 'phone_enc', type: 'varchar', length: 255, nullable: true })
  phoneEnc: string | null;

  @Column({ name: 'phone_masked', type: 'varchar', length: 32, nullable: true })
  phoneMasked: string | null;

  @Column({ name: 'bank_account_enc', type: 'varchar', length: 255, nullable: true })
  bankAccountEnc: string | null;

  @Column({ name: 'bank_account_masked', type: 'varchar', length: 64, nullable: true })
  bankAccountMasked: string | null;

  @Column({ type: 'int' })
  members: number;

  @Column({ name: 'village_code', type: 'varchar', length: 32 })
  villageCode: string;

  @Column({ type: 'varchar', length: 16 })
  status: HouseholdStatus;

  @Column({ name: 'status_reason', type: 'varchar', length: 255, nullable: true })
  statusReason: string | null;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
