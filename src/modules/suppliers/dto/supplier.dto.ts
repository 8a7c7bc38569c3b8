import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
import { PageOf, PageQuery } from '@/common/pagination';
import { IsCalendarDate, NotEmptyWhenGiven } from '@/common/validation';
import { BenefitLinkageEntity, DividendTier, LinkageType } from '../entities/benefit-linkage.entity';
import { SupplierEntity, SupplierType } from '../entities/supplier.entity';

export class CreateSupplierDto {
  @ApiProperty({ minLength: 1, maxLength: 128, example: '分水镇柑橘专业合作社' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({ enum: SupplierType, enumName: 'SupplierType' })
  @IsEnum(SupplierType)
  type: SupplierType;

  @ApiProperty({ example: '500101113201', description: 'An existing VILLAGE' })
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
  @ApiPropertyOptional({ enum: SupplierType, enumName: 'SupplierType' })
  @IsOptional()
  @IsEnum(SupplierType)
  type?: SupplierType;

  @ApiPropertyOptional({ example: '500101113201' })
  @IsOptional()
  @IsString()
  villageCode?: string;
}

export class DividendTierDto implements DividendTier {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    example: 5,
    description: 'From this yield, jin per plant',
  })
  @IsInt()
  @Min(0)
  @Max(1000)
  minJinPerPlant: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10000, example: 1500, description: 'Basis points' })
  @IsInt()
  @Min(0)
  @Max(10000)
  shareBps: number;
}

/** One body for the four linkage types; the service checks which fields the type needs and allows. */
export class CreateLinkageDto {
  @ApiProperty({ enum: LinkageType, enumName: 'LinkageType' })
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

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 10000,
    example: 500,
    description: 'REVENUE_SHARE: share of each sale, basis points',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  shareBps?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1_000_000,
    description: 'PLOT_CONTRACT: plants the household manages',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  plants?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 1_000_000,
    example: 300,
    description: 'PLOT_CONTRACT: management fee, fen per plant per year',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  managementFeeFenPerPlantYear?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 1_000_000,
    example: 50,
    description: 'PLOT_CONTRACT: picking fee, fen per jin picked',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  pickingFeeFenPerJin?: number;

  @ApiPropertyOptional({
    type: [DividendTierDto],
    minItems: 1,
    maxItems: 10,
    description: 'PLOT_CONTRACT: dividend tiers by yield per plant',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => DividendTierDto)
  dividendTiers?: DividendTierDto[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 5_000_000,
    description: 'EQUITY: amount invested, fen',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  investedFen?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 400_000,
    description: 'EQUITY: dividend per year, fen',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  annualDividendFen?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 2_400_000,
    description: 'EMPLOYMENT: wage per year, fen',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  annualWageFen?: number;

  @ApiPropertyOptional({
    format: 'date',
    description: 'First day the agreement counts (YYYY-MM-DD); today when omitted',
  })
  @IsOptional()
  @IsCalendarDate()
  startsOn?: string;
}

export class SupplierView {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: '分水镇柑橘专业合作社' })
  name: string;

  @ApiProperty({ enum: SupplierType, enumName: 'SupplierType' })
  type: SupplierType;

  @ApiProperty({ example: '500101113201' })
  villageCode: string;

  @ApiProperty({ type: String, nullable: true, description: 'A HOUSEHOLD supplier’s household' })
  householdId: string | null;
}

export const SupplierPage = PageOf(SupplierView);

export const mapSupplier = (s: SupplierEntity): SupplierView => ({
  id: s.id,
  name: s.name,
  type: s.type,
  villageCode: s.villageCode,
  householdId: s.householdId,
});

export class DividendTierView implements DividendTier {
  @ApiProperty({ type: 'integer', example: 5 })
  minJinPerPlant: number;

  @ApiProperty({ type: 'integer', example: 1500 })
  shareBps: number;
}

/** A linkage as answered: the common fields, and the fields of its type only (the others are absent). */
export class LinkageView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  supplierId: string;

  @ApiProperty({ enum: LinkageType, enumName: 'LinkageType' })
  type: LinkageType;

  @ApiProperty({ type: String, nullable: true })
  householdId: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'EQUITY held for a village collective' })
  collectiveVillageCode: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  startsOn: string | null;

  @ApiProperty()
  active: boolean;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'REVENUE_SHARE: basis points' })
  shareBps?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'PLOT_CONTRACT' })
  plants?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 300, description: 'PLOT_CONTRACT, fen' })
  managementFeeFenPerPlantYear?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 50, description: 'PLOT_CONTRACT, fen' })
  pickingFeeFenPerJin?: number | null;

  @ApiPropertyOptional({ type: [DividendTierView], nullable: true, description: 'PLOT_CONTRACT' })
  dividendTiers?: DividendTierView[] | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 5_000_000, description: 'EQUITY, fen' })
  investedFen?: number | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, example: 400_000, description: 'EQUITY, fen' })
  annualDividendFen?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: 2_400_000,
    description: 'EMPLOYMENT, fen',
  })
  annualWageFen?: number | null;
}

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
