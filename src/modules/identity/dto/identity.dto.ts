import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { AuthUser, Role } from '@/common/auth/role';
import { UserEntity } from '../entities/user.entity';

export class LoginDto {
  @ApiProperty({ minLength: 1, maxLength: 64, example: 'admin' })
  @IsString()
  @Length(1, 64)
  username: string;

  @ApiProperty({ minLength: 1, maxLength: 128, format: 'password', example: 'admin12345' })
  @IsString()
  @Length(1, 128)
  password: string;
}

export class OtpRequestDto {
  @ApiProperty({ pattern: '^1\\d{10}$', example: '13800138000' })
  @Matches(/^1\d{10}$/, { message: 'phone must be an 11-digit mainland mobile number' })
  phone: string;
}

export class OtpVerifyDto extends OtpRequestDto {
  @ApiProperty({ pattern: '^\\d{6}$', example: '123456', description: 'The code sent by SMS' })
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;
}

export class CreateUserDto {
  @ApiProperty({ pattern: '^[a-zA-Z0-9_.-]{3,64}$', example: 'buyer.zhang' })
  @Matches(/^[a-zA-Z0-9_.-]{3,64}$/, { message: 'username must be 3 to 64 letters, digits, _ . or -' })
  username: string;

  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @Length(8, 128)
  password: string;

  @ApiProperty({ enum: Role, enumName: 'Role', isArray: true, minItems: 1, uniqueItems: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsEnum(Role, { each: true })
  roles: Role[];

  @ApiPropertyOptional({ description: 'UNIT_BUYER, UNIT_APPROVER: their organization' })
  @IsOptional()
  @IsString()
  organizationId?: string;

  @ApiPropertyOptional({ description: 'HOST: the host profile' })
  @IsOptional()
  @IsString()
  hostId?: string;

  @ApiPropertyOptional({ description: 'SUPPLIER: the supplier it acts for' })
  @IsOptional()
  @IsString()
  supplierId?: string;

  @ApiPropertyOptional({ description: 'CADRE: the village or town it looks after' })
  @IsOptional()
  @IsString()
  regionCode?: string;

  @ApiPropertyOptional({
    pattern: '^1\\d{10}$',
    description: 'A mobile number for work notices (an approver is told by SMS when an order waits)',
  })
  @IsOptional()
  @Matches(/^1\d{10}$/, { message: 'phone must be an 11-digit mainland mobile number' })
  phone?: string;
}

/** A user as answered: the same fields a token carries. */
export class UserView implements AuthUser {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'admin' })
  username: string;

  @ApiProperty({ enum: Role, enumName: 'Role', isArray: true })
  roles: Role[];

  @ApiProperty({ type: String, nullable: true })
  organizationId: string | null;

  @ApiProperty({ type: String, nullable: true })
  hostId: string | null;

  @ApiProperty({ type: String, nullable: true })
  supplierId: string | null;

  @ApiProperty({ type: String, nullable: true })
  regionCode: string | null;
}

export const mapUser = (u: UserEntity): UserView => ({
  id: u.id,
  username: u.username,
  roles: u.roles,
  organizationId: u.organizationId,
  hostId: u.hostId,
  supplierId: u.supplierId,
  regionCode: u.regionCode,
});

export class TokenUserView implements Pick<UserView, 'id' | 'username' | 'roles'> {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'admin' })
  username: string;

  @ApiProperty({ enum: Role, enumName: 'Role', isArray: true })
  roles: Role[];
}

export class TokenView {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`' })
  accessToken: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  @ApiProperty({ type: 'integer', description: 'Seconds the token is valid', example: 86400 })
  expiresIn: number;

  @ApiProperty({ type: TokenUserView })
  user: TokenUserView;
}

export class OtpSentView {
  @ApiProperty({ type: 'integer', description: 'Seconds the code is valid', example: 300 })
  expiresIn: number;

  @ApiProperty({ type: 'integer', description: 'Seconds before another code can be asked for', example: 60 })
  resendAfter: number;
}
