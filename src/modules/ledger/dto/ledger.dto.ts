import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
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
import { HarvestEntity } from '../entities/harvest.entity';
import { PayoutBatchEntity } from '../entities/payout.entity';
import { Discrepancy, ReconciliationEntity } from '../entities/reconciliation.entity';

export class IncomeQuery {
  @ApiPropertyOptional({ format: 'date', description: 'First business date counted (Asia/Shanghai)' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Last business date counted; not before from' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class ReconcileDto {
  @ApiProperty({ format: 'date', example: '2025-11-30', description: 'Business date (Asia/Shanghai)' })
  @IsCalendarDate()
  date: string;
}

/** A business date in the path (`/ledger/reconciliations/2025-11-30`). */
export class DateParam {
  @ApiProperty({ format: 'date', example: '2025-11-30', pattern: '^\\d{4}-\\d{2}-\\d{2}$' })
  @IsCalendarDate()
  date: string;
}

export class AccrueDto {
  @ApiProperty({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', example: '2025-11' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM' })
  month: string;
}

export class HarvestDto {
  @ApiProperty({ description: 'A household with a plot contract with this supplier' })
  @IsString()
  householdId: string;

  @ApiProperty({ format: 'date', description: 'Not in the future' })
  @IsCalendarDate()
  pickedOn: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100_000_000, example: 25_000 })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  weightGrams: number;
}

export class YieldDto {
  @ApiProperty()
  @IsString()
  householdId: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 10_000_000, example: 3000 })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  gramsPerPlant: number;
}

export class CloseSeasonDto {
  @ApiPropertyOptional({
    type: [YieldDto],
    maxItems: 10_000,
    description: 'Each household’s yield per plant; a household left out is counted from its harvests',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => YieldDto)
  yields?: YieldDto[];
}

export class CreatePayoutDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    example: 10_000,
    description: 'Fen: households with less available are left for the next batch',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  minimumFen?: number;
}

export class PayoutPaidDto {
  @ApiProperty({ minLength: 1, maxLength: 64, description: 'The bank’s reference of the transfer' })
  @IsString()
  @Length(1, 64)
  reference: string;
}

export class IncomeBySourceView {
  @ApiProperty({ type: 'integer', description: 'Fen' })
  SALE: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  DIVIDEND: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  MANAGEMENT_FEE: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  PICKING_FEE: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  WAGE: number;
}

export class IncomeByChannelView {
  @ApiProperty({ type: 'integer', description: 'Fen' })
  KIOSK: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  LIVESTREAM: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  PROCUREMENT: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  FAIR: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  ONLINE: number;
}

export class IncomeEntryView {
  @ApiProperty()
  entryId: string;

  @ApiProperty({ description: 'The journal entry kind (SALE, REFUND, ACCRUAL, …)' })
  kind: string;

  @ApiProperty({ format: 'date' })
  date: string;

  @ApiProperty({ description: 'Income source (SALE, DIVIDEND, …, PAYOUT)' })
  source: string;

  @ApiProperty({ type: String, nullable: true })
  channel: string | null;

  @ApiProperty({ type: 'integer', example: 1200, description: 'Fen; negative for a reversal or payout' })
  amountFen: number;

  @ApiProperty({ enum: ['PENDING', 'AVAILABLE'] })
  status: 'PENDING' | 'AVAILABLE';

  @ApiProperty({ type: String, format: 'date', nullable: true })
  availableOn: string | null;

  @ApiProperty({ type: String, nullable: true })
  orderId: string | null;

  @ApiProperty({ type: String, nullable: true })
  lotId: string | null;

  @ApiProperty({ type: String, nullable: true })
  memo: string | null;
}

/** A household's income: the sum of its postings, by source and channel, pending and available. */
export class IncomeStatementView {
  @ApiProperty()
  householdId: string;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  from: string | null;

  @ApiProperty({ type: String, format: 'date', nullable: true })
  to: string | null;

  @ApiProperty({ type: 'integer', example: 12000, description: 'Fen' })
  totalFen: number;

  @ApiProperty({ type: 'integer', description: 'Fen still refundable or disputable' })
  pendingFen: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  availableFen: number;

  @ApiProperty({ type: 'integer', description: 'Fen paid out to the household’s bank account' })
  paidOutFen: number;

  @ApiProperty({ type: 'integer', description: 'Fen: available less paid out' })
  balanceFen: number;

  @ApiProperty({ type: IncomeBySourceView, description: 'Every key present, 0 when none' })
  bySource: IncomeBySourceView;

  @ApiProperty({ type: IncomeByChannelView, description: 'Every key present, 0 when none' })
  byChannel: IncomeByChannelView;

  @ApiProperty({ type: [IncomeEntryView] })
  entries: IncomeEntryView[];
}

export class ReconciliationStartedView {
  @ApiProperty({ format: 'date' })
  date: string;

  @ApiProperty({ enum: ['RUNNING'] })
  status: 'RUNNING';
}

export class ChannelFiguresView {
  @ApiProperty({ type: 'integer', description: 'Fen' })
  paymentsFen: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  paidOrdersFen: number;

  @ApiProperty({ type: 'integer', description: 'Fen' })
  postedFen: number;
}

export class DiscrepancyView implements Discrepancy {
  @ApiProperty({ example: 'MISSING_ALLOCATION' })
  kind: string;

  @ApiPropertyOptional()
  channel?: string;

  @ApiPropertyOptional()
  orderId?: string;

  @ApiPropertyOptional()
  lineId?: string;

  @ApiPropertyOptional()
  paymentId?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Fen' })
  expectedFen?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'Fen' })
  actualFen?: number;

  @ApiProperty({ description: 'Whether the job put it right itself' })
  healed: boolean;

  @ApiProperty()
  detail: string;
}

export class ReconciliationView {
  @ApiProperty({ format: 'date' })
  date: string;

  @ApiProperty({ enum: ['RUNNING', 'BALANCED', 'DISCREPANCIES'] })
  status: string;

  @ApiProperty({ type: 'integer', description: 'Fen captured by the providers' })
  paymentsFen: number;

  @ApiProperty({ type: 'integer', description: 'Fen of the orders paid' })
  paidOrdersFen: number;

  @ApiProperty({ type: 'integer', description: 'Fen posted to the ledger' })
  postedFen: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(ChannelFiguresView) },
    description: 'The same figures per channel',
  })
  byChannel: Record<string, ChannelFiguresView>;

  @ApiProperty({ type: [DiscrepancyView] })
  discrepancies: DiscrepancyView[];
}

export class AccrualView {
  @ApiProperty({ example: '2025-11' })
  month: string;

  @ApiProperty({ type: 'integer', description: 'Entries posted (0 when the month was posted before)' })
  posted: number;
}

export class MonitoringView {
  @ApiProperty({ type: 'integer', description: 'Households now MONITORED' })
  monitored: number;

  @ApiProperty({ type: 'integer', description: 'Households back above the line, now LIFTED' })
  lifted: number;
}

export class HarvestView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  supplierId: string;

  @ApiProperty()
  householdId: string;

  @ApiProperty({ example: '2025', description: 'The calendar year the picking belongs to' })
  season: string;

  @ApiProperty({ format: 'date' })
  pickedOn: string;

  @ApiProperty({ type: 'integer' })
  weightGrams: number;

  @ApiProperty({ type: 'integer', example: 250, description: 'Fen posted to the household' })
  feeFen: number;
}

export const mapHarvest = (h: HarvestEntity): HarvestView => ({
  id: h.id,
  supplierId: h.supplierId,
  householdId: h.householdId,
  season: h.season,
  pickedOn: h.pickedOn,
  weightGrams: h.weightGrams,
  feeFen: h.feeFen,
});

export class SeasonResultView {
  @ApiProperty()
  householdId: string;

  @ApiProperty({ type: 'integer' })
  gramsPerPlant: number;

  @ApiProperty({ type: 'integer', description: 'The dividend tier reached, basis points' })
  rateBps: number;

  @ApiProperty({ type: 'integer', description: 'Fen trued up (negative when the tier is lower)' })
  trueUpFen: number;
}

export class SeasonCloseView {
  @ApiProperty()
  supplierId: string;

  @ApiProperty({ example: '2025' })
  season: string;

  @ApiProperty({ type: [SeasonResultView] })
  results: SeasonResultView[];
}

export class PayoutView {
  @ApiProperty()
  id: string;

  @ApiProperty({ enum: ['CREATED', 'PAID'] })
  status: 'CREATED' | 'PAID';

  @ApiProperty({ type: 'integer', description: 'Fen' })
  minimumFen: number;

  @ApiProperty({ type: 'integer', example: 250_000, description: 'Fen' })
  totalFen: number;

  @ApiProperty({ type: 'integer' })
  lineCount: number;

  @ApiProperty({ type: String, nullable: true })
  bankReference: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  paidAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class PayoutLineView {
  @ApiProperty()
  householdId: string;

  @ApiProperty({ type: 'integer', example: 12_000, description: 'Fen' })
  amountFen: number;
}

export class PayoutDetailView extends PayoutView {
  @ApiProperty({ type: [PayoutLineView] })
  lines: PayoutLineView[];
}

export const mapReconciliation = (r: ReconciliationEntity): ReconciliationView => ({
  date: r.date,
  status: r.status,
  paymentsFen: r.paymentsFen,
  paidOrdersFen: r.paidOrdersFen,
  postedFen: r.postedFen,
  byChannel: r.byChannel ?? {},
  discrepancies: r.discrepancies ?? [],
});

export const mapPayout = (b: PayoutBatchEntity): PayoutView => ({
  id: b.id,
  status: b.status,
  minimumFen: b.minimumFen,
  totalFen: b.totalFen,
  lineCount: b.lineCount,
  bankReference: b.bankReference,
  paidAt: b.paidAt ? b.paidAt.toISOString() : null,
  createdAt: b.createdAt.toISOString(),
});
