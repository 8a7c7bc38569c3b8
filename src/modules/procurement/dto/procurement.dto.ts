import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageOf, PageQuery } from '@/common/pagination';
import { IsCalendarDate } from '@/common/validation';
import { EmploymentStatus, ProcurementStatus } from '../entities/procurement.entity';

const ID = /^[0-9A-Z]{26}$/;
const MAX_FEN = 100_000_000_000; // 1 billion yuan: far above any unit's yearly budget

export class IdParam {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'id must be an id' })
  id: string;
}

export class QuotaParams {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'id must be an organization id' })
  id: string;

  @ApiProperty({ type: 'integer', minimum: 2000, maximum: 2100, example: 2026 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;
}

export class EmployeeParams {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'id must be an organization id' })
  id: string;

  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'userId must be a user id' })
  userId: string;
}

export class SetQuotaDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_FEN,
    description: 'A fixed yearly amount (fen); or give canteenBaseFen and shareBps instead',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_FEN)
  amountFen?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_FEN,
    description: "The unit's declared yearly canteen food purchases (fen)",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_FEN)
  canteenBaseFen?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 10000,
    example: 1500,
    description: 'The share of it reserved for products of poor households (bps; at least the floor, 1000)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10000)
  shareBps?: number;
}

export class QuotaView {
  @ApiProperty() organizationId: string;
  @ApiProperty({ type: 'integer' }) year: number;
  @ApiProperty({ type: 'integer', description: 'The commitment (fen)' }) amountFen: number;
  @ApiProperty({ type: 'integer', nullable: true }) canteenBaseFen: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) shareBps: number | null;
}

export class QuotaProgressView {
  @ApiProperty() organizationId: string;
  @ApiProperty({ type: 'integer' }) year: number;
  @ApiProperty({ type: 'integer' }) amountFen: number;
  @ApiProperty({ type: 'integer', nullable: true }) canteenBaseFen: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) shareBps: number | null;
  @ApiProperty({
    type: 'integer',
    description: 'Ordered amounts of orders submitted or approved, not accepted yet',
  })
  committedFen: number;
  @ApiProperty({ type: 'integer', description: 'Its own accepted procurement' }) acceptedFen: number;
  @ApiProperty({
    type: 'integer',
    description: "Its linked employees' paid purchases (online, kiosk, livestream)",
  })
  employeeFen: number;
  @ApiProperty({ type: 'integer', description: 'Its purchases at fairs' }) fairFen: number;
  @ApiProperty({ type: 'integer', description: 'acceptedFen + employeeFen + fairFen' }) countedFen: number;
  @ApiProperty({ type: 'integer', description: 'max(0, amountFen − countedFen)' }) remainingFen: number;
  @ApiProperty({ type: 'integer', description: 'floor(countedFen × 10000 / amountFen)' }) progressBps: number;
}

export class EmployerDto {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'organizationId must be an organization id' })
  organizationId: string;
}

export class EmploymentView {
  @ApiProperty() userId: string;
  @ApiProperty() organizationId: string;
  @ApiProperty({ type: String, nullable: true, description: 'The organization’s name' }) organizationName:
    string | null;
  @ApiProperty({ enum: EmploymentStatus, enumName: 'EmploymentStatus' }) status: EmploymentStatus;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) confirmedAt: string | null;
}

export const EmploymentPage = PageOf(EmploymentView);

export class EmployeeListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: EmploymentStatus, enumName: 'EmploymentStatus' })
  @IsOptional()
  @IsEnum(EmploymentStatus)
  status?: EmploymentStatus;
}

export class ProcurementLineDto {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'productId must be a product id' })
  productId: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1_000_000, example: 20 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity: number;
}

export class NewProcurementOrderDto {
  @ApiProperty({ type: [ProcurementLineDto], minItems: 1, maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ProcurementLineDto)
  lines: ProcurementLineDto[];

  @ApiProperty({ minLength: 1, maxLength: 255, example: '万州区财政局食堂，太白路 8 号' })
  @IsString()
  @Length(1, 255)
  deliveryAddress: string;
}

export class RejectDto {
  @ApiProperty({ minLength: 1, maxLength: 255, example: '超出本季度预算' })
  @IsString()
  @Length(1, 255)
  reason: string;
}

export class ReceivedLineDto {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'productId must be a product id' })
  productId: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 1_000_000 })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  receivedQuantity: number;
}

export class AcceptDto {
  @ApiProperty({
    type: [ReceivedLineDto],
    minItems: 1,
    maxItems: 50,
    description: 'What arrived of each product; a product left out received nothing',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ReceivedLineDto)
  lines: ReceivedLineDto[];

  @ApiProperty({
    minLength: 1,
    maxLength: 64,
    example: '50012345',
    description: "The supplier's invoice number",
  })
  @IsString()
  @Length(1, 64)
  invoiceNo: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_FEN, description: "The invoice's amount (fen)" })
  @IsInt()
  @Min(0)
  @Max(MAX_FEN)
  invoiceFen: number;
}

export class PayDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 64,
    example: 'CBC20261203-0042',
    description: 'The bank transfer reference',
  })
  @IsString()
  @Length(1, 64)
  reference: string;
}

/** ADMIN: one organization's orders. */
export class OverdueQuery {
  @ApiPropertyOptional({ pattern: ID.source, description: 'ADMIN: one organization' })
  @IsOptional()
  @Matches(ID, { message: 'organizationId must be an organization id' })
  organizationId?: string;
}

export class ProcurementOrderListQuery extends IntersectionType(PageQuery, OverdueQuery) {
  @ApiPropertyOptional({ enum: ProcurementStatus, enumName: 'ProcurementStatus' })
  @IsOptional()
  @IsEnum(ProcurementStatus)
  status?: ProcurementStatus;
}

export class ProcurementLineView {
  @ApiProperty() id: string;
  @ApiProperty() productId: string;
  @ApiProperty() productName: string;
  @ApiProperty() category: string;
  @ApiProperty() supplierId: string;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer' }) unitPriceFen: number;
  @ApiProperty({ type: 'integer' }) amountFen: number;
  @ApiProperty({ type: 'integer', nullable: true }) receivedQuantity: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) confirmedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) shippedAt: string | null;
}

export class ProcurementOrderView {
  @ApiProperty() id: string;
  @ApiProperty() organizationId: string;
  @ApiProperty({ enum: ProcurementStatus, enumName: 'ProcurementStatus' }) status: ProcurementStatus;
  @ApiProperty() deliveryAddress: string;
  @ApiProperty({ type: 'integer', description: 'What the lines cost as ordered' }) totalFen: number;
  @ApiProperty({ type: 'integer', description: 'What was received and accepted' }) acceptedFen: number;
  @ApiProperty({ type: [ProcurementLineView] }) lines: ProcurementLineView[];
  @ApiProperty() createdBy: string;
  @ApiProperty({ type: String, nullable: true }) submittedBy: string | null;
  @ApiProperty({ type: String, nullable: true }) decidedBy: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why it was rejected or cancelled' })
  rejectReason: string | null;
  @ApiProperty({ type: String, nullable: true }) acceptedDate: string | null;
  @ApiProperty({ type: String, nullable: true }) invoiceNo: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) invoiceFen: number | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Payment is due by this date (30 days after acceptance)',
  })
  dueDate: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) paidAt: string | null;
  @ApiProperty({ type: String, nullable: true }) paymentRef: string | null;
  @ApiProperty({ description: 'Accepted, not paid, and past its due date' }) overdue: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export const ProcurementOrderPage = PageOf(ProcurementOrderView);

export class ProcurementEventView {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, nullable: true, description: 'null: the service itself (the daily reminder)' })
  userId: string | null;
  @ApiProperty({ type: String, nullable: true }) username: string | null;
  @ApiProperty({ example: 'APPROVED' }) action: string;
  @ApiProperty({ type: String, nullable: true }) detail: string | null;
}

export class NewFairDto {
  @ApiProperty({ minLength: 1, maxLength: 128, example: '长岭镇安溪村扶贫赶场' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({ example: '500101107201' })
  @IsString()
  @Length(1, 32)
  villageCode: string;

  @ApiProperty({ example: '2026-12-12' })
  @IsCalendarDate()
  date: string;

  @ApiPropertyOptional({ pattern: ID.source, description: 'The assistance group holding it' })
  @IsOptional()
  @Matches(ID, { message: 'organizationId must be an organization id' })
  organizationId?: string;
}

export class FairView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() villageCode: string;
  @ApiProperty() date: string;
  @ApiProperty({ type: String, nullable: true }) organizationId: string | null;
  @ApiProperty({ type: 'integer' }) sales: number;
  @ApiProperty({ type: 'integer' }) amountFen: number;
}

export const FairPage = PageOf(FairView);

export class FairListQuery extends PageQuery {
  @ApiPropertyOptional({ example: '2026-01-01' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class NewFairSaleDto {
  @ApiProperty({ pattern: ID.source, description: 'The household selling at its stall' })
  @Matches(ID, { message: 'householdId must be a household id' })
  householdId: string;

  @ApiPropertyOptional({ pattern: ID.source, description: 'A catalog product, when the stall sold one' })
  @IsOptional()
  @Matches(ID, { message: 'productId must be a product id' })
  productId?: string;

  @ApiProperty({ minLength: 1, maxLength: 128, example: '土鸡蛋' })
  @IsString()
  @Length(1, 128)
  description: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100_000, example: 30 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  quantity: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100_000_000, example: 4500, description: 'Fen' })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  amountFen: number;

  @ApiPropertyOptional({
    pattern: ID.source,
    description: 'The organization it was bought for (a unit buyer: its own)',
  })
  @IsOptional()
  @Matches(ID, { message: 'buyerOrganizationId must be an organization id' })
  buyerOrganizationId?: string;
}

export class FairSaleView {
  @ApiProperty() id: string;
  @ApiProperty() fairId: string;
  @ApiProperty() householdId: string;
  @ApiProperty({ type: String, nullable: true }) productId: string | null;
  @ApiProperty() description: string;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer' }) amountFen: number;
  @ApiProperty({ type: String, nullable: true }) buyerOrganizationId: string | null;
  @ApiProperty({ description: 'The order it became in the order core (channel FAIR)' }) orderId: string;
}

export const REPORT_GROUPS = ['organizationType', 'organization', 'supplier', 'category'] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];

export class YearQuery {
  @ApiProperty({ type: 'integer', minimum: 2000, maximum: 2100, example: 2020 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;
}

/** A report of a year, as JSON or as a file a spreadsheet opens. */
export class YearReportQuery extends YearQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv', 'xlsx'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv', 'xlsx'])
  format?: 'json' | 'csv' | 'xlsx';
}

export class ProcurementReportQuery extends YearReportQuery {
  @ApiPropertyOptional({ enum: REPORT_GROUPS, default: 'organizationType' })
  @IsOptional()
  @IsIn(REPORT_GROUPS)
  groupBy?: ReportGroup;
}

export class MonthlyQuery extends YearReportQuery {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 12,
    example: 6,
    description: 'Progress up to the end of this month',
  })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(12)
  month: number;
}

export class ReportRowView {
  @ApiProperty({ type: String, nullable: true, description: 'The group: a type, an id or a category' })
  key: string | null;
  @ApiProperty({ example: '预算单位' }) label: string;
  @ApiProperty({ type: 'integer', description: 'Accepted orders' }) orders: number;
  @ApiProperty({ type: 'integer' }) acceptedFen: number;
  @ApiProperty({ type: 'integer', description: 'Linked employees’ purchases (organization groupings only)' })
  employeeFen: number;
  @ApiProperty({ type: 'integer', description: 'Fair purchases (organization groupings only)' })
  fairFen: number;
  @ApiProperty({ type: 'integer' }) totalFen: number;
}

export class ReportTotalsView {
  @ApiProperty({ type: 'integer' }) orders: number;
  @ApiProperty({ type: 'integer' }) acceptedFen: number;
  @ApiProperty({ type: 'integer' }) employeeFen: number;
  @ApiProperty({ type: 'integer' }) fairFen: number;
  @ApiProperty({ type: 'integer' }) totalFen: number;
}

export class FairSummaryView {
  @ApiProperty({ type: 'integer', description: 'Market days held' }) fairs: number;
  @ApiProperty({ type: 'integer', description: 'Stall sales recorded' }) sales: number;
  @ApiProperty({ type: 'integer', description: 'Bought from households at all fairs' }) amountFen: number;
  @ApiProperty({ type: 'integer', description: 'Of it, bought by no organization' }) unattributedFen: number;
}

export class ProcurementReportView {
  @ApiProperty({ type: 'integer' }) year: number;
  @ApiProperty({ enum: REPORT_GROUPS }) groupBy: ReportGroup;
  @ApiProperty({ type: [ReportRowView] }) rows: ReportRowView[];
  @ApiProperty({ type: ReportTotalsView }) totals: ReportTotalsView;
  @ApiProperty({ type: FairSummaryView }) fairs: FairSummaryView;
}

export class BelowQuotaView {
  @ApiProperty() organizationId: string;
  @ApiProperty() name: string;
  @ApiProperty() type: string;
  @ApiProperty({ type: 'integer' }) amountFen: number;
  @ApiProperty({ type: 'integer' }) countedFen: number;
  @ApiProperty({ type: 'integer' }) remainingFen: number;
  @ApiProperty({ type: 'integer' }) progressBps: number;
}

export class DepartmentProgressView {
  @ApiProperty({ type: String, nullable: true, description: 'null: organizations under no department' })
  department: string | null;
  @ApiProperty({ type: 'integer', description: 'Budget units with a canteen' }) units: number;
  @ApiProperty({ type: 'integer', description: 'Of them, units that declared a reserved share' })
  unitsWithShare: number;
  @ApiProperty({ type: 'integer', description: 'Their reserved amounts, summed' }) plannedFen: number;
  @ApiProperty({ type: 'integer', description: 'Counted toward them up to the end of the month' })
  completedFen: number;
  @ApiProperty({ type: 'integer', description: 'floor(completedFen × 10000 / plannedFen)' }) doneBps: number;
}

export class MonthlyReportView {
  @ApiProperty({ type: 'integer' }) year: number;
  @ApiProperty({ type: 'integer' }) month: number;
  @ApiProperty({ type: [DepartmentProgressView] }) departments: DepartmentProgressView[];
  @ApiProperty({ type: DepartmentProgressView }) total: DepartmentProgressView;
}

export class ImpactRowView {
  @ApiProperty({ type: String, nullable: true }) key: string | null;
  @ApiProperty() label: string;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Paid sales, net of refunds (null by town: a sale may come from several towns)',
  })
  salesFen: number | null;
  @ApiProperty({ type: 'integer', description: 'What reached households (their ledger credits)' })
  householdIncomeFen: number;
}

export class ImpactView {
  @ApiProperty({ type: 'integer' }) year: number;
  @ApiProperty({ type: [ImpactRowView] }) byChannel: ImpactRowView[];
  @ApiProperty({ type: [ImpactRowView] }) byOrganizationType: ImpactRowView[];
  @ApiProperty({ type: [ImpactRowView] }) byTown: ImpactRowView[];
  @ApiProperty({ type: 'integer' }) salesFen: number;
  @ApiProperty({ type: 'integer' }) householdIncomeFen: number;
  @ApiProperty({ type: 'integer', description: 'Households that earned from a sale this year' })
  households: number;
}
