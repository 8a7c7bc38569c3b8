import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

/** A household's picking recorded by its cooperative; the picking fee is posted from it. */
@Entity('harvests')
@Index('ix_harvests_supplier_season', ['supplierId', 'season', 'householdId'])
export class HarvestEntity {
  @IdColumn() id: string;

  @Column({ name: 'supplier_id', type: 'char', length: 26 })
  supplierId: string;

  @Column({ name: 'household_id', type: 'char', length: 26 })
  householdId: string;

  @Column({ name: 'linkage_id', type: 'char', length: 26 })
  linkageId: string;

  /** The season (calendar year) the picking belongs to. */
  @Column({ type: 'char', length: 4 })
  season: string;

  @Column({ name: 'picked_on', type: 'date' })
  pickedOn: string;

  @Column({ name: 'weight_grams', type: 'int' })
  weightGrams: number;

  @MoneyColumn({ name: 'fee_fen' })
  feeFen: number;

  @CreatedAt() createdAt: Date;
}
