import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAt } from '@/common/entity-columns';

export enum RegionLevel {
  District = 'DISTRICT',
  Town = 'TOWN',
  Village = 'VILLAGE',
}

@Entity('regions')
export class RegionEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  level: RegionLevel;

  @Index('ix_regions_parent')
  @Column({ name: 'parent_code', type: 'varchar', length: 32, nullable: true })
  parentCode: string | null;

  /** `/district/town/village/`: ancestors' codes, for scope checks by prefix. */
  @Index('ix_regions_path')
  @Column({ type: 'varchar', length: 255 })
  path: string;

  @Column({ name: 'poor_village', type: 'boolean', default: false })
  poorVillage: boolean;

  @CreatedAt() createdAt: Date;
}
