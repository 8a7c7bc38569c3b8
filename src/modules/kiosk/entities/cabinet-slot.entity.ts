import { Column, Entity, PrimaryColumn } from 'typeorm';
import { UpdatedAt } from '@/common/entity-columns';

/**
 * One scale of a cabinet, holding one product from one supply lot. `quantity` units are out of the lot and in
 * the slot: stocking moves units from the lot, unstocking back, so a unit is never on sale in both.
 */
@Entity('cabinet_slots')
export class CabinetSlotEntity {
  @PrimaryColumn({ name: 'cabinet_id', type: 'char', length: 26 })
  cabinetId: string;

  @PrimaryColumn({ name: 'slot_no', type: 'int' })
  slotNo: number;

  @Column({ name: 'product_id', type: 'char', length: 26 })
  productId: string;

  @Column({ name: 'lot_id', type: 'char', length: 26 })
  lotId: string;

  @Column({ name: 'unit_weight_grams', type: 'int' })
  unitWeightGrams: number;

  @Column({ name: 'tolerance_grams', type: 'int' })
  toleranceGrams: number;

  @Column({ type: 'int', unsigned: true })
  quantity: number;

  @Column({ name: 'par_level', type: 'int', default: 0 })
  parLevel: number;

  @UpdatedAt() updatedAt: Date;
}
