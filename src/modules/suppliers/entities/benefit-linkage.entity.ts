import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

export enum LinkageType {
  RevenueShare = 'REVENUE_SHARE',
  PlotContract = 'PLOT_CONTRACT',
  Equity = 'EQUITY',
  Employment = 'EMPLOYMENT',
}

export interface DividendTier {
  minJinPerPlant: number;
  shareBps: number;
}

/**
 * The agreement that turns a supplier's sales or time into a beneficiary's income. The beneficiary is a
 * household or, for equity, a village collective. The fields used depend on `type`; the rest stay null.
 */
@Entity('benefit_linkages')
@Index('uq_linkage_beneficiary', ['supplierId', 'beneficiaryKey', 'type'], { unique: true })
export class BenefitLinkageEntity {
  @IdColumn() id: string;

  @Index('ix_linkages_supplier')
  @Column({ name: 'supplier_id', type: 'char', length: 26 })
  supplierId: string;

  @Index('ix_linkages_household')
  @Column({ name: 'household_id', type: 'char', length: 26, nullable: true })
  householdId: string | null;

  @Column({ name: 'collective_village_code', type: 'varchar', length: 32, nullable: true })
  collectiveVillageCode: string | null;

  /** `H:<householdId>` or `V:<villageCode>`: one linkage of a type per beneficiary and supplier. */
  @Column({ name: 'beneficiary_key', type: 'varchar', length: 40 })
  beneficiaryKey: string;

  @Column({ type: 'varchar', length: 16 })
  type: LinkageType;

  @Column({ name: 'share_bps', type: 'int', nullable: true })
  shareBps: number | null;

  @Column({ type: 'int', nullable: true })
  plants: number | null;

  @MoneyColumn({ name: 'management_fee_fen_per_plant_year', nullable: true })
  managementFeeFenPerPlantYear: number | null;

  @MoneyColumn({ name: 'picking_fee_fen_per_jin', nullable: true })
  pickingFeeFenPerJin: number | null;

  @Column({ name: 'dividend_tiers', type: 'json', nullable: true })
  dividendTiers: DividendTier[] | null;

  @MoneyColumn({ name: 'invested_fen', nullable: true })
  investedFen: number | null;

  @MoneyColumn({ name: 'annual_dividend_fen', nullable: true })
  annualDividendFen: number | null;

  @MoneyColumn({ name: 'annual_wage_fen', nullable: true })
  annualWageFen: number | null;

  @Column({ name: 'starts_on', type: 'date', nullable: true })
  startsOn: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreatedAt() createdAt: Date;
}
