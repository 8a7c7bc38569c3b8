import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
import { PageOf, PageQuery } from '@/common/pagination';
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
  @ApiProperty({
    minLength: 1,
    maxLength: 64,
    example: 'WZ-2014-000123',
    description: 'Poverty registry number',
  })
  @IsString()
  @Length(1, 64)
  registryNo: string;

  @ApiProperty({ minLength: 1, maxLength: 64, example: '王德明' })
  @IsString()
  @Length(1, 64)
  headName: string;

  @ApiProperty({
    description: 'Resident ID number (GB 11643, with its check character); stored encrypted, answered masked',
    pattern: '^\\d{17}[\\dXx]$',
    example: '500101198001010012',
  })
  @Validate(IdNumberRule)
  idNumber: string;

  @ApiPropertyOptional({ pattern: '^1\\d{10}$', example: '13800138000' })
  @IsOptional()
  @Matches(/^1\d{10}$/, { message: 'phone must be an 11-digit mainland mobile number' })
  phone?: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 30, example: 4 })
  @IsInt()
  @Min(1)
  @Max(30)
  members: number;

  @ApiProperty({ example: '500101113201', description: 'An existing VILLAGE' })
  @IsString()
  villageCode: string;

  @ApiPropertyOptional({
    enum: HouseholdStatus,
    enumName: 'HouseholdStatus',
    default: HouseholdStatus.Lifted,
  })
  @IsOptional()
  @IsEnum(HouseholdStatus)
  status?: HouseholdStatus;

  @ApiPropertyOptional({
    pattern: '^\\d{12,30}$',
    description: 'For payouts; stored encrypted, answered masked',
  })
  @IsOptional()
  @Matches(/^\d{12,30}$/, { message: 'bankAccount must be 12 to 30 digits' })
  bankAccount?: string;
}

export class HouseholdListQuery extends PageQuery {
  @ApiPropertyOptional({ example: '500101113201' })
  @IsOptional()
  @IsString()
  villageCode?: string;

  @ApiPropertyOptional({ enum: HouseholdStatus, enumName: 'HouseholdStatus' })
  @IsOptional()
  @IsEnum(HouseholdStatus)
  status?: HouseholdStatus;
}

/** A household as answered: personal data masked. */
export class HouseholdView {
  @ApiProperty()
  id: string;

  @ApiProperty({ example: 'WZ-2014-000123' })
  registryNo: string;

  @ApiProperty({ example: '王德明' })
  headName: string;

  @ApiProperty({ description: 'Masked', example: '5001**********0012' })
  idNumber: string;

  @ApiProperty({ type: String, nullable: true, description: 'Masked', example: '138****8000' })
  phone: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Masked', example: '6222************1234' })
  bankAccount: string | null;

  @ApiProperty({ type: 'integer', example: 4 })
  members: number;

  @ApiProperty({ example: '500101113201' })
  villageCode: string;

  @ApiProperty({ enum: HouseholdStatus, enumName: 'HouseholdStatus' })
  status: HouseholdStatus;

  @ApiProperty({ type: String, nullable: true, description: 'Why the status last changed' })
  statusReason: string | null;
}

export const HouseholdPage = PageOf(HouseholdView);
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
