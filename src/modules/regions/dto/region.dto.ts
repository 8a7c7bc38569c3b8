import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsOptional, IsString, Length, Matches } from 'class-validator';
import { NotEmptyWhenGiven } from '@/common/validation';
import { RegionEntity, RegionLevel } from '../entities/region.entity';

export class CreateRegionDto {
  @ApiProperty({
    pattern: '^[0-9A-Za-z]{2,32}$',
    example: '500101113201',
    description: 'Administrative code',
  })
  @Matches(/^[0-9A-Za-z]{2,32}$/, { message: 'code must be 2 to 32 letters or digits' })
  code: string;

  @ApiProperty({ minLength: 1, maxLength: 100, example: '川星村' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ enum: RegionLevel, enumName: 'RegionLevel' })
  @IsEnum(RegionLevel)
  level: RegionLevel;

  @ApiPropertyOptional({ description: 'The town of a village, the district of a town; none for a district' })
  @IsOptional()
  @IsString()
  @NotEmptyWhenGiven()
  parentCode?: string;

  @ApiPropertyOptional({ description: 'A registered poor village (VILLAGE only)', default: false })
  @IsOptional()
  @IsBoolean()
  poorVillage?: boolean;
}

export class RegionListQuery {
  @ApiPropertyOptional({ description: 'Only the regions directly under this one' })
  @IsOptional()
  @IsString()
  parentCode?: string;

  @ApiPropertyOptional({ enum: RegionLevel, enumName: 'RegionLevel' })
  @IsOptional()
  @IsEnum(RegionLevel)
  level?: RegionLevel;
}

export class RegionView {
  @ApiProperty({ example: '500101113201' })
  code: string;

  @ApiProperty({ example: '川星村' })
  name: string;

  @ApiProperty({ enum: RegionLevel, enumName: 'RegionLevel' })
  level: RegionLevel;

  @ApiProperty({ type: String, nullable: true, example: '500101113' })
  parentCode: string | null;

  @ApiProperty()
  poorVillage: boolean;
}

export const mapRegion = (r: RegionEntity): RegionView => ({
  code: r.code,
  name: r.name,
  level: r.level,
  parentCode: r.parentCode,
  poorVillage: r.poorVillage,
});
