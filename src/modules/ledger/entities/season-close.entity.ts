import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

/** A cooperative's season, closed once with each household's yield per plant and the tier it reached. */
@Entity('season_closes')
@Index('uq_season_close', ['supplierId', 'season'], { unique: true })
export class SeasonCloseEntity {
  @IdColumn() id: string;

  @Column({ name: 'supplier_id', type: 'char', length: 26 })
  supplierId: string;

  @Column({ type: 'char', length: 4 })
  season: string;

  /** Per household: grams per plant, the tier reached, and the fen trued up. */
  @Column({ type: 'json' })
  results: { householdId: string; gramsPerPlant: number; rateBps: number; trueUpFen: number }[];

  @CreatedAt() createdAt: Date;
}
