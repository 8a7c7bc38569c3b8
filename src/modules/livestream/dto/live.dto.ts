import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
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
import { IsCalendarDate, NotEmptyWhenGiven } from '@/common/validation';
import { LivePlatform, LiveSessionStatus } from '../entities/live-session.entity';

const ID = /^[0-9A-Z]{26}$/;
const CODE = /^[\x21-\x7e]{1,64}$/;

export class SessionIdParam {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'id must be a session id' })
  id: string;
}

export class ImportIdParam {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'id must be an import id' })
  id: string;
}

export class NewOfferDto {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'productId must be a product id' })
  productId: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100_000_000, example: 2990, description: 'Fen' })
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  livePriceFen: number;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 100_000,
    example: 100,
    description: 'Units carved out of the supply lots for this offer (first-expiring lots first)',
  })
  @IsInt()
  @Min(1)
  @Max(100_000)
  stock: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    description: 'Units one buyer may hold',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  perBuyerLimit?: number;

  @ApiPropertyOptional({
    pattern: CODE.source,
    description: 'The seller’s code (商家编码) the host also gives the product on the platforms',
  })
  @IsOptional()
  @Matches(CODE, { message: 'merchantCode must be 1 to 64 printable ASCII characters' })
  merchantCode?: string;

  @ApiPropertyOptional({
    pattern: '^[0-9A-Za-z_-]{1,64}$',
    description: 'The platform’s product id (商品ID), for exports whose rows carry no merchant code',
  })
  @IsOptional()
  @Matches(/^[0-9A-Za-z_-]{1,64}$/, { message: 'platformProductId must be 1 to 64 letters or digits' })
  platformProductId?: string;
}

export class CreateSessionDto {
  @ApiProperty({ minLength: 1, maxLength: 128, example: '万州柑橘助农直播' })
  @IsString()
  @Length(1, 128)
  title: string;

  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'hostId must be a host id' })
  hostId: string;

  @ApiProperty({ enum: LivePlatform, enumName: 'LivePlatform' })
  @IsEnum(LivePlatform)
  platform: LivePlatform;

  @ApiProperty({ format: 'date-time', example: '2026-12-05T12:00:00Z' })
  @IsDateString({ strict: true }, { message: 'scheduledAt must be an ISO 8601 time' })
  scheduledAt: string;

  @ApiProperty({ type: [NewOfferDto], minItems: 1, maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => NewOfferDto)
  offers: NewOfferDto[];
}

export class OfferMappingDto {
  @ApiPropertyOptional({ type: String, pattern: CODE.source, nullable: true })
  @IsOptional()
  @Matches(CODE, { message: 'merchantCode must be 1 to 64 printable ASCII characters' })
  merchantCode?: string | null;

  @ApiPropertyOptional({ type: String, pattern: '^[0-9A-Za-z_-]{1,64}$', nullable: true })
  @IsOptional()
  @Matches(/^[0-9A-Za-z_-]{1,64}$/, { message: 'platformProductId must be 1 to 64 letters or digits' })
  platformProductId?: string | null;
}

export class OfferParams {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'id must be a session id' })
  id: string;

  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'offerId must be an offer id' })
  offerId: string;
}

export class OfferView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  productId: string;

  @ApiProperty({ example: '万州玫瑰香橙 5kg' })
  productName: string;

  @ApiProperty({ type: 'integer', example: 2990 })
  livePriceFen: number;

  @ApiProperty({ type: 'integer', description: 'Units carved out of the lots for the offer' })
  stock: number;

  @ApiProperty({ type: 'integer', nullable: true })
  perBuyerLimit: number | null;

  @ApiProperty({ type: String, nullable: true })
  merchantCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  platformProductId: string | null;
}

export class SessionView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  hostId: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ enum: LivePlatform, enumName: 'LivePlatform' })
  platform: LivePlatform;

  @ApiProperty({ enum: LiveSessionStatus, enumName: 'LiveSessionStatus' })
  status: LiveSessionStatus;

  @ApiProperty({ format: 'date-time' })
  scheduledAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  endedAt: string | null;

  @ApiProperty({ example: 'http://localhost:3000/l/01J…', description: 'The viewers’ page of the session' })
  shareUrl: string;

  @ApiProperty({ description: 'A PNG QR code of shareUrl' })
  qrUrl: string;

  @ApiProperty({ description: 'The host’s dashboard page' })
  dashboardUrl: string;

  @ApiProperty({ type: [OfferView] })
  offers: OfferView[];
}

export const SessionPage = PageOf(SessionView);

export class SessionListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: LiveSessionStatus, enumName: 'LiveSessionStatus' })
  @IsOptional()
  @IsEnum(LiveSessionStatus)
  status?: LiveSessionStatus;

  @ApiPropertyOptional({ pattern: ID.source, description: 'Administrators: one host’s sessions' })
  @IsOptional()
  @Matches(ID, { message: 'hostId must be a host id' })
  hostId?: string;
}

export class SessionStatusView {
  @ApiProperty({ enum: LiveSessionStatus, enumName: 'LiveSessionStatus' })
  status: LiveSessionStatus;
}

export class PlaceLiveOrderDto {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'offerId must be an offer id' })
  offerId: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1000 })
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity: number;
}

export class LiveOrderView {
  @ApiProperty()
  orderId: string;

  @ApiProperty({ example: 'PENDING_PAYMENT' })
  status: string;

  @ApiProperty({ type: 'integer' })
  totalFen: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  payBy: string | null;
}

export class OfferStatsView {
  @ApiProperty()
  offerId: string;

  @ApiProperty({ type: 'integer', description: 'Paid units (imported platform sales included)' })
  sold: number;

  @ApiProperty({ type: 'integer', description: 'Units in orders awaiting payment' })
  reserved: number;

  @ApiProperty({ type: 'integer', description: 'Units that can still be bought' })
  remaining: number;

  @ApiProperty({ type: 'integer', description: 'Paid money, net of refunds' })
  gmvFen: number;

  @ApiProperty({ type: 'integer', description: 'Of `sold`, units imported from platform exports' })
  imported: number;
}

export class SalesPointView {
  @ApiProperty({ format: 'date-time', description: 'The minute' })
  minute: string;

  @ApiProperty({ type: 'integer' })
  gmvFen: number;

  @ApiProperty({ type: 'integer' })
  units: number;
}

export class SessionStatsView {
  @ApiProperty()
  sessionId: string;

  @ApiProperty({ enum: LiveSessionStatus, enumName: 'LiveSessionStatus' })
  status: LiveSessionStatus;

  @ApiProperty({ type: 'integer', description: 'Paid orders’ money, net of refunds' })
  gmvFen: number;

  @ApiProperty({ type: 'integer' })
  paidOrders: number;

  @ApiProperty({ type: 'integer' })
  pendingOrders: number;

  @ApiProperty({ type: 'integer', description: 'Units in paid orders' })
  units: number;

  @ApiProperty({ type: 'integer', description: 'Distinct buyers of paid orders' })
  buyers: number;

  @ApiProperty({ type: [OfferStatsView] })
  offers: OfferStatsView[];

  @ApiProperty({ type: [SalesPointView], description: 'Paid sales per minute, for the chart' })
  timeline: SalesPointView[];

  @ApiProperty({ format: 'date-time' })
  at: string;
}

/** A viewer's view of an offer: no stock figures beyond what is left. */
export class PublicOfferView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  productName: string;

  @ApiProperty({ type: 'integer' })
  livePriceFen: number;

  @ApiProperty({ type: 'integer' })
  remaining: number;

  @ApiProperty({ type: 'integer', nullable: true })
  perBuyerLimit: number | null;
}

export class PublicSessionView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  title: string;

  @ApiProperty()
  hostName: string;

  @ApiProperty({ enum: LiveSessionStatus, enumName: 'LiveSessionStatus' })
  status: LiveSessionStatus;

  @ApiProperty({ type: [PublicOfferView] })
  offers: PublicOfferView[];
}

export class PeriodQuery {
  @ApiPropertyOptional({ format: 'date', description: 'First business day (Asia/Shanghai), inclusive' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ format: 'date', description: 'Last business day, inclusive' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class LeaderboardQuery extends PeriodQuery {
  @ApiPropertyOptional({ enum: ['gmv', 'households'], default: 'gmv' })
  @IsOptional()
  @IsIn(['gmv', 'households'])
  by?: 'gmv' | 'households';

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class HostIdParam {
  @ApiProperty({ pattern: ID.source })
  @Matches(ID, { message: 'id must be a host id' })
  id: string;
}

export class HostTotalsView {
  @ApiProperty()
  hostId: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  kind: string;

  @ApiProperty({ type: 'integer', description: 'Sessions that started in the period' })
  sessions: number;

  @ApiProperty({ type: 'integer' })
  gmvFen: number;

  @ApiProperty({ type: 'integer' })
  paidOrders: number;

  @ApiProperty({ type: 'integer' })
  units: number;

  @ApiProperty({ type: 'integer' })
  buyers: number;

  @ApiProperty({ type: 'integer', description: 'Distinct households the sales credit (net of refunds)' })
  householdsBenefited: number;
}

export class LeaderboardView {
  @ApiProperty({ enum: ['gmv', 'households'] })
  by: 'gmv' | 'households';

  @ApiProperty({ type: [HostTotalsView] })
  items: HostTotalsView[];
}

export class TopProductView {
  @ApiProperty()
  productId: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: 'integer' })
  units: number;

  @ApiProperty({ type: 'integer' })
  gmvFen: number;
}

export class SessionReportView {
  @ApiProperty()
  sessionId: string;

  @ApiProperty()
  title: string;

  @ApiProperty()
  hostName: string;

  @ApiProperty({ enum: LiveSessionStatus, enumName: 'LiveSessionStatus' })
  status: LiveSessionStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  endedAt: string | null;

  @ApiProperty({ type: 'integer' })
  gmvFen: number;

  @ApiProperty({ type: 'integer' })
  paidOrders: number;

  @ApiProperty({ type: 'integer' })
  units: number;

  @ApiProperty({ type: 'integer' })
  buyers: number;

  @ApiProperty({ type: 'integer' })
  householdsBenefited: number;

  @ApiProperty({ type: [TopProductView] })
  topProducts: TopProductView[];
}

export class ExternalRowDto {
  @ApiProperty({ pattern: '^[0-9]{1,40}$', example: '6912345678901234567', description: 'Digits, as text' })
  @Matches(/^[0-9]{1,40}$/, { message: 'orderId must be the platform order id as a string of digits' })
  orderId: string;

  @ApiProperty({ pattern: '^[0-9A-Za-z_-]{1,40}$', example: '6912345678901234568' })
  @Matches(/^[0-9A-Za-z_-]{1,40}$/, { message: 'subOrderId must be the platform sub-order id as text' })
  subOrderId: string;

  @ApiPropertyOptional({ pattern: CODE.source })
  @IsOptional()
  @Matches(CODE, { message: 'merchantCode must be 1 to 64 printable ASCII characters' })
  merchantCode?: string;

  @ApiPropertyOptional({ pattern: '^[0-9A-Za-z_-]{1,64}$' })
  @IsOptional()
  @Matches(/^[0-9A-Za-z_-]{1,64}$/, { message: 'platformProductId must be 1 to 64 letters or digits' })
  platformProductId?: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100000 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  quantity: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 10_000_000_000,
    description: 'What the buyer paid, fen',
  })
  @IsInt()
  @Min(0)
  @Max(10_000_000_000)
  amountFen: number;

  @ApiProperty({ format: 'date-time' })
  @IsDateString({ strict: true }, { message: 'paidAt must be an ISO 8601 time' })
  paidAt: string;

  @ApiPropertyOptional({ enum: ['REFUNDED'] })
  @IsOptional()
  @IsIn(['REFUNDED'])
  afterSale?: 'REFUNDED';
}

export const IMPORT_PLATFORMS = [
  LivePlatform.Douyin,
  LivePlatform.Kuaishou,
  LivePlatform.WechatChannels,
] as const;

/**
 * The body of an import: JSON `{platform, shopId?, rows}`, or multipart/form-data with `platform`, `shopId?`
 * and `file` (the export as downloaded).
 */
export class ExternalOrdersDto {
  @ApiProperty({ enum: IMPORT_PLATFORMS })
  @IsIn(IMPORT_PLATFORMS as unknown as string[])
  platform: (typeof IMPORT_PLATFORMS)[number];

  @ApiPropertyOptional({
    maxLength: 64,
    description: 'The platform shop the export is from ("" when one shop)',
  })
  @IsOptional()
  @IsString()
  @Length(0, 64)
  @NotEmptyWhenGiven()
  shopId?: string;

  @ApiPropertyOptional({ type: [ExternalRowDto], maxItems: 10000, description: 'JSON form' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => ExternalRowDto)
  rows?: ExternalRowDto[];

  @ApiPropertyOptional({
    type: 'string',
    format: 'binary',
    description: 'multipart: the export file (CSV or XLSX)',
  })
  @IsOptional()
  file?: Buffer;
}

export class ImportAcceptedView {
  @ApiProperty()
  importId: string;
}

export class RefusedRowView {
  @ApiProperty({ type: 'integer', description: 'The row as a spreadsheet numbers it (header = 1)' })
  row: number;

  @ApiProperty()
  reason: string;
}

export class ImportView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  sessionId: string;

  @ApiProperty()
  platform: string;

  @ApiProperty({ enum: ['RUNNING', 'DONE'] })
  status: 'RUNNING' | 'DONE';

  @ApiProperty({ type: 'integer', nullable: true, description: 'Data rows in the file, once read' })
  rowsTotal: number | null;

  @ApiProperty({ type: 'integer' })
  rowsDone: number;

  @ApiProperty({ type: 'integer', description: 'Rows counted as sales now (new ones)' })
  rowsAccepted: number;

  @ApiProperty({ type: 'integer', description: 'Rows whose sale was reversed as refunded by this import' })
  rowsRefunded: number;

  @ApiProperty({ type: 'integer', description: 'Rows already counted by an earlier import, unchanged' })
  rowsRepeated: number;

  @ApiProperty({ type: [RefusedRowView] })
  rowsRefused: RefusedRowView[];
}
