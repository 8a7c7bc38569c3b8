import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageOf } from '@/common/pagination';
import { NotEmptyWhenGiven } from '@/common/validation';
import { HostEntity, HostKind } from '../entities/host.entity';

export class CreateHostDto {
  @ApiProperty({ minLength: 1, maxLength: 64, example: '李书记' })
  @IsString()
  @Length(1, 64)
  name: string;

  @ApiProperty({ enum: HostKind, enumName: 'HostKind' })
  @IsEnum(HostKind)
  kind: HostKind;

  @ApiPropertyOptional({ description: 'The region the host speaks for (an existing region)' })
  @IsOptional()
  @IsString()
  @NotEmptyWhenGiven()
  regionCode?: string;

  @ApiPropertyOptional({
    pattern: '^[0-9A-Z]{26}$',
    description: 'An existing user who becomes this host’s HOST user (the role and the binding are added)',
  })
  @IsOptional()
  @Matches(/^[0-9A-Z]{26}$/, { message: 'userId must be a user id' })
  userId?: string;
}

export class HostView {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: '李书记' })
  name: string;

  @ApiProperty({ enum: HostKind, enumName: 'HostKind' })
  kind: HostKind;

  @ApiProperty({ type: String, nullable: true })
  regionCode: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The HOST user registered with the host' })
  userId: string | null;
}

export const HostPage = PageOf(HostView);

export const mapHost = (h: HostEntity): HostView => ({
  id: h.id,
  name: h.name,
  kind: h.kind,
  regionCode: h.regionCode,
  userId: h.userId,
});
