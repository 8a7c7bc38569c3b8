import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '@/common/pagination';
import { IsCalendarDate, NotEmptyWhenGiven } from '@/common/validation';
import { BenefitLinkageEntity, DividendTier, LinkageType } from '../entities/benefit-linkage.entity';
import { SupplierEntity, SupplierType } from '../entities/supplier.entity';

export class CreateSupplierDto {
  @IsString()
  @Length(1, 128)
  name: string;

  @IsEnum(SupplierType)
  type: SupplierType;

  @IsString()
  villageCode: string;

  @ApiPropertyOptional({
    description: 'Required for a HOUSEHOLD supplier: the household selling its own produce',
  })
  @IsOptional()
  @IsString()
  @NotEmptyWhenGiven()
  householdId?: string;
}

export class SupplierListQuery extends PageQuery {
  @IsOptional()
  @IsEnum(SupplierType)
  type?: SupplierType;

  @IsOptional()
  @IsString()
  villageCode?: string;
}

export class DividendTierDto implements DividendTier {
  @IsInt()
  @Min(0)
  @Max(1000)
  minJinPerPlant: number;

  @IsInt()
  @Min(0)
  @Max(10000)
  shareBps: number;
}

/** One body for the four linkage types; the service checks which fields the type needs and allows. */
export class CreateLinkageDto {
  @IsEnum(LinkageType)
  type: LinkageType;

  @ApiPropertyOptional({ description: 'The beneficiary household (every type)' })
  @IsOptional()
  @IsString()
  @NotEmptyWhenGiven()
  householdId?: string;

  @ApiPropertyOptional({
    description: 'EQUITY only: a village collective as the beneficiary, instead of a household',
  })
  @IsOptional()
  @IsString()
  @NotEmptyWhenGiven()
  collectiveVillageCode?: string;

  @ApiPropertyOptional({ description: 'REVENUE_SHARE: share of each sale, basis points' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  shareBps?: number;

  @ApiPropertyOptional({ description: 'PLOT_CONTRACT: plants the household manages' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  plants?: number;

  @ApiPropertyOptional({ description: 'PLOT_CONTRACT: management fee, fen per plant per year' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  managementFeeFenPerPlantYear?: number;

  @ApiPropertyOptional({ description: 'PLOT_CONTRACT: picking fee, fen per jin picked' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  pickingFeeFenPerJin?: number;

  @ApiPropertyOptional({
    type: [DividendTierDto],
    description: 'PLOT_CONTRACT: dividend tiers by yield per plant',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => DividendTierDto)
  dividendTiers?: DividendTierDto[];

  @ApiPropertyOptional({ description: 'EQUITY: amount invested, fen' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  investedFen?: number;

  @ApiPropertyOptional({ description: 'EQUITY: dividend per year, fen' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  annualDividendFen?: number;

  @ApiPropertyOptional({ description: 'EMPLOYMENT: wage per year, fen' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  annualWageFen?: number;

  @ApiPropertyOptional({ description: 'First day the agreement counts (YYYY-MM-DD); today when omitted' })
  @IsOptional()
  @IsCalendarDate()
  startsOn?: string;
}

export interface SupplierView {
  id: string;
  name: string;
  type: SupplierType;
  villageCode: string;
  householdId: string | null;
}

export const mapSupplier = (s: SupplierEntity): SupplierView => ({
  id: s.id,
  name: s.name,
  type: s.type,
  villageCode: s.villageCode,
  householdId: s.householdId,
});

export type LinkageView = Record<string, unknown> & { id: string; supplierId: string; type: LinkageType };

/** The answer holds the fields of its type only. */
export function mapLinkage(l: BenefitLinkageEntity): LinkageView {
  const base = {
    id: l.id,
    supplierId: l.supplierId,
    type: l.type,
    householdId: l.householdId,
    collectiveVillageCode: l.collectiveVillageCode,
    startsOn: l.startsOn,
    active: l.active,
  };
  switch (l.type) {
    case LinkageType.RevenueShare:
      return { ...base, shareBps: l.shareBps };
    case LinkageType.PlotContract:
      return {
        ...base,
        plants: l.plants,
        managementFeeFenPerPlantYear: l.managementFeeFenPerPlantYear,
        pickingFeeFenPerJin: l.pickingFeeFenPerJin,
        dividendTiers: l.dividendTiers,
      };
    case LinkageType.Equity:
      return { ...base, investedFen: l.investedFen, annualDividendFen: l.annualDividendFen };
    case LinkageType.Employment:
      return { ...base, annualWageFen: l.annualWageFen };
  }
}
