import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

export enum SupplierType {
  Household = 'HOUSEHOLD',
  Cooperative = 'COOPERATIVE',
  Enterprise = 'ENTERPRISE',
}

@Entity('suppliers')
export class SupplierEntity {
  @IdColumn() id: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  type: SupplierType;

  @Index('ix_suppliers_village')
  @Column({ name: 'village_code', type: 'varchar', length: 32 })
  villageCode: string;

  /** For a HOUSEHOLD supplier: the household that sells its own produce. */
  @Column({ name: 'household_id', type: 'char', length: 26, nullable: true })
  householdId: string | null;

  @CreatedAt() createdAt: Date;
}
