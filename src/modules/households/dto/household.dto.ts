import { ApiProperty } from '@nestjs/swagger';
import {
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { PageQuery } from '@/common/pagination';
import { HouseholdEntity, HouseholdStatus } from '../entities/household.entity';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The GB 11643 check character of the first 17 digits of a resident ID number. */
export function idCheckChar(body17: string): string {
  return CHECK[WEIGHTS.reduce((acc, w, i) => acc + w * Number(body17[i]), 0) % 11];
}

/** GB 11643 resident ID: 17 digits and a check character. */
export function isValidIdNumber(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && idCheckChar(id) === id[17];
}

@ValidatorConstraint({ name: 'idNumber' })
class IdNumberRule implements ValidatorConstraintInterface {
  validate(v: unknown) {
    // The service stores the upper-case form; a check character typed as `x` is the same number.
    return typeof v === 'string' && isValidIdNumber(v.toUpperCase());
  }
  defaultMessage() {
    return 'idNumber must be an 18-character resident ID number with a valid check digit';
  }
}

export class CreateHouseholdDto {
  @IsString()
  @Length(1, 64)
  registryNo: string;

  @IsString()
  @Length(1, 64)
  headName: string;

  @ApiProperty({ description: 'Resident ID number; stored encrypted, answered masked' })
  @Validate(IdNumberRule)
  idNumber: string;

  @IsOptional()
  @Matches(/^1\d{10}$/, { message: 'phone must be an 11-digit mainland mobile number' })
  phone?: string;

  @IsInt()
  @Min(1)
  @Max(30)
  members: number;

  @IsString()
  villageCode: string;

  @IsOptional()
  @IsEnum(HouseholdStatus)
  status?: HouseholdStatus;

  @IsOptional()
  @Matches(/^\d{12,30}$/, { message: 'bankAccount must be 12 to 30 digits' })
  bankAccount?: string;
}

export class HouseholdListQuery extends PageQuery {
  @IsOptional()
  @IsString()
  villageCode?: string;

  @IsOptional()
  @IsEnum(HouseholdStatus)
  status?: HouseholdStatus;
}

export interface HouseholdView {
  id: string;
  registryNo: string;
  headName: string;
  idNumber: string;
  phone: string | null;
  bankAccount: string | null;
  members: number;
  villageCode: string;
  status: HouseholdStatus;
  statusReason: string | null;
}

/** Every answer about a household goes through here: personal data only ever leaves masked. */
export const mapHousehold = (h: HouseholdEntity): HouseholdView => ({
  id: h.id,
  registryNo: h.registryNo,
  headName: h.headName,
  idNumber: h.idNumberMasked,
  phone: h.phoneMasked,
  bankAccount: h.bankAccountMasked,
  members: h.members,
  villageCode: h.villageCode,
  status: h.status,
  statusReason: h.statusReason,
});
