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
  @IsString()
  @Length(1, 64)
  username: string;

  @IsString()
  @Length(1, 128)
  password: string;
}

export class OtpRequestDto {
  @Matches(/^1\d{10}$/, { message: 'phone must be an 11-digit mainland mobile number' })
  phone: string;
}

export class OtpVerifyDto extends OtpRequestDto {
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;
}

export class CreateUserDto {
  @Matches(/^[a-zA-Z0-9_.-]{3,64}$/, { message: 'username must be 3 to 64 letters, digits, _ . or -' })
  username: string;

  @IsString()
  @Length(8, 128)
  password: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsEnum(Role, { each: true })
  roles: Role[];

  @IsOptional()
  @IsString()
  organizationId?: string;

  @IsOptional()
  @IsString()
  hostId?: string;

  @IsOptional()
  @IsString()
  supplierId?: string;

  @IsOptional()
  @IsString()
  regionCode?: string;
}

/** A user as answered: the same fields a token carries. */
export type UserView = AuthUser;

export const mapUser = (u: UserEntity): UserView => ({
  id: u.id,
  username: u.username,
  roles: u.roles,
  organizationId: u.organizationId,
  hostId: u.hostId,
  supplierId: u.supplierId,
  regionCode: u.regionCode,
});

export interface TokenView {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: Pick<UserView, 'id' | 'username' | 'roles'>;
}
