import { IsBoolean, IsEnum, IsOptional, IsString, Length, Matches } from 'class-validator';
import { NotEmptyWhenGiven } from '@/common/validation';
import { RegionEntity, RegionLevel } from '../entities/region.entity';

export class CreateRegionDto {
  @Matches(/^[0-9A-Za-z]{2,32}$/, { message: 'code must be 2 to 32 letters or digits' })
  code: string;

  @IsString()
  @Length(1, 100)
  name: string;

  @IsEnum(RegionLevel)
  level: RegionLevel;

  @IsOptional()
  @IsString()
  @NotEmptyWhenGiven()
  parentCode?: string;

  @IsOptional()
  @IsBoolean()
  poorVillage?: boolean;
}

export class RegionListQuery {
  @IsOptional()
  @IsString()
  parentCode?: string;

  @IsOptional()
  @IsEnum(RegionLevel)
  level?: RegionLevel;
}

export interface RegionView {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
  poorVillage: boolean;
}

export const mapRegion = (r: RegionEntity): RegionView => ({
  code: r.code,
  name: r.name,
  level: r.level,
  parentCode: r.parentCode,
  poorVillage: r.poorVillage,
});
