import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate } from '@/common/validation';
import { PayoutBatchEntity } from '../entities/payout.entity';
import { ReconciliationEntity } from '../entities/reconciliation.entity';

export class IncomeQuery {
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class ReconcileDto {
  @IsCalendarDate()
  date: string;
}

export class AccrueDto {
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM' })
  month: string;
}

export class HarvestDto {
  @IsString()
  householdId: string;

  @IsCalendarDate()
  pickedOn: string;

  @IsInt()
  @Min(1)
  @Max(100_000_000)
  weightGrams: number;
}

export class YieldDto {
  @IsString()
  householdId: string;

  @IsInt()
  @Min(0)
  @Max(10_000_000)
  gramsPerPlant: number;
}

export class CloseSeasonDto {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => YieldDto)
  yields?: YieldDto[];
}

export class CreatePayoutDto {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  minimumFen?: number;
}

export class PayoutPaidDto {
  @IsString()
  @Length(1, 64)
  reference: string;
}

export const mapReconciliation = (r: ReconciliationEntity) => ({
  date: r.date,
  status: r.status,
  paymentsFen: r.paymentsFen,
  paidOrdersFen: r.paidOrdersFen,
  postedFen: r.postedFen,
  byChannel: r.byChannel ?? {},
  discrepancies: r.discrepancies ?? [],
});

export const mapPayout = (b: PayoutBatchEntity) => ({
  id: b.id,
  status: b.status,
  minimumFen: b.minimumFen,
  totalFen: b.totalFen,
  lineCount: b.lineCount,
  bankReference: b.bankReference,
  paidAt: b.paidAt ? b.paidAt.toISOString() : null,
  createdAt: b.createdAt.toISOString(),
});
