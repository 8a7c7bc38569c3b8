import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, Length } from 'class-validator';
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
}

export class OrganizationListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OrganizationType, enumName: 'OrganizationType' })
  @IsOptional()
  @IsEnum(OrganizationType)
  type?: OrganizationType;
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
}

export const OrganizationPage = PageOf(OrganizationView);

export const mapOrganization = (o: OrganizationEntity): OrganizationView => ({
  id: o.id,
  name: o.name,
  type: o.type,
  parentId: o.parentId,
});
