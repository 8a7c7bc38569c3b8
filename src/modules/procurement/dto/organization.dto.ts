import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEnum,
  IsOptional,
  IsString,
  Length,
} from 'class-validator';
import { PageOf, PageQuery } from '@/common/pagination';
import { NotEmptyWhenGiven } from '@/common/validation';
import { OrganizationEntity, OrganizationType } from '../entities/organization.entity';

export class CreateOrganizationDto {
  @ApiProperty({ minLength: 1, maxLength: 128, example: '万州区财政局' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({ enum: OrganizationType, enumName: 'OrganizationType' })
  @IsEnum(OrganizationType)
  type: OrganizationType;

  @ApiPropertyOptional({ description: 'The organization it belongs to (an existing organization)' })
  @IsOptional()
  @IsString()
  @NotEmptyWhenGiven()
  parentId?: string;

  @ApiPropertyOptional({
    default: false,
    description: 'Whether it runs a canteen (only then may it declare a share)',
  })
  @IsOptional()
  @IsBoolean()
  hasCanteen?: boolean;

  @ApiPropertyOptional({ maxLength: 64, example: '教育系统', description: 'The department it reports under' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  department?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 200,
    description: 'The villages it is paired with to assist',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsString({ each: true })
  villageCodes?: string[];
}

export class SetVillagesDto {
  @ApiProperty({
    type: [String],
    maxItems: 200,
    description: 'The villages it is paired with (replaces the list)',
  })
  @IsArray()
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsString({ each: true })
  villageCodes: string[];
}

export class OrganizationListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OrganizationType, enumName: 'OrganizationType' })
  @IsOptional()
  @IsEnum(OrganizationType)
  type?: OrganizationType;

  @ApiPropertyOptional({ description: 'The members of this group' })
  @IsOptional()
  @IsString()
  parentId?: string;
}

export class OrganizationView {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: '万州区财政局' })
  name: string;

  @ApiProperty({ enum: OrganizationType, enumName: 'OrganizationType' })
  type: OrganizationType;

  @ApiProperty({ type: String, nullable: true })
  parentId: string | null;

  @ApiProperty()
  hasCanteen: boolean;

  @ApiProperty({ type: String, nullable: true })
  department: string | null;

  @ApiProperty({ type: [String], description: 'Paired villages' })
  villageCodes: string[];
}

export const OrganizationPage = PageOf(OrganizationView);

export const mapOrganization = (o: OrganizationEntity, villageCodes: string[] = []): OrganizationView => ({
  id: o.id,
  name: o.name,
  type: o.type,
  parentId: o.parentId,
  hasCanteen: o.hasCanteen,
  department: o.department,
  villageCodes,
});
