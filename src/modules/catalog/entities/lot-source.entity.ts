import { Column, Entity, Index } from 'typeorm';
import { IdColumn } from '@/common/entity-columns';

/** A household that grew or made part of a lot; `position` keeps the order the sources were listed in. */
@Entity('lot_sources')
@Index('uq_lot_sources_lot_household', ['lotId', 'householdId'], { unique: true })
export class LotSourceEntity {
  @IdColumn() id: string;

  @Column({ name: 'lot_id', type: 'char', length: 26 })
  lotId: string;

  @Index('ix_lot_sources_household')
  @Column({ name: 'household_id', type: 'char', length: 26 })
  householdId: string;

  @Column({ type: 'int' })
  quantity: number;

  @Column({ type: 'int' })
  position: number;
}
