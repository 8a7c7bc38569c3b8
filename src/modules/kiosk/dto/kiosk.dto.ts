import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '@/common/pagination';
import { CabinetEntity, CabinetStatus, SiteType } from '../entities/cabinet.entity';
import { CabinetSlotEntity } from '../entities/cabinet-slot.entity';
import { AlertKind, KioskAlertEntity } from '../entities/kiosk-alert.entity';
import {
  KioskSessionEntity,
  ReasonCode,
  ReviewEvidence,
  SessionItem,
  SessionKind,
  SessionStatus,
} from '../entities/kiosk-session.entity';

const CODE = /^[A-Za-z0-9_-]{1,32}$/;

export class CreateCabinetDto {
  @ApiProperty({
    pattern: CODE.source,
    example: 'WZ-CBD-01',
    description: 'Printed on the cabinet; letters, digits, _ and -',
  })
  @Matches(CODE, { message: 'code must be 1 to 32 letters, digits, _ or -' })
  code: string;

  @ApiProperty({ minLength: 1, maxLength: 100, example: '万达广场消费扶贫专柜' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ enum: SiteType, example: SiteType.Cbd })
  @IsEnum(SiteType)
  siteType: SiteType;

  @ApiProperty({ minLength: 1, maxLength: 255, example: '万州区高笋塘广场1号' })
  @IsString()
  @Length(1, 255)
  address: string;
}

export class CabinetCodeParam {
  @ApiProperty({ pattern: CODE.source })
  @Matches(CODE, { message: 'code must be 1 to 32 letters, digits, _ or -' })
  code: string;
}

export class SlotParams extends CabinetCodeParam {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 999 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(999)
  slotNo: number;
}

export class PutSlotDto {
  @ApiProperty({ description: 'A certified product' })
  @IsString()
  @Length(1, 26)
  productId: string;

  @ApiProperty({ description: 'A supply lot of that product; the slot’s units are moved out of it' })
  @IsString()
  @Length(1, 26)
  lotId: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100_000, example: 250 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  unitWeightGrams: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100_000, example: 20 })
  @IsInt()
  @Min(0)
  @Max(100_000)
  toleranceGrams: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 100_000,
    example: 20,
    description: 'Units in the slot now',
  })
  @IsInt()
  @Min(0)
  @Max(100_000)
  quantity: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 100_000,
    example: 5,
    description: 'Below this the slot is on the low-stock list',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  parLevel?: number;
}

export class QrQuery {
  @ApiPropertyOptional({ enum: ['png', 'svg'], default: 'png' })
  @IsOptional()
  @IsIn(['png', 'svg'])
  format?: 'png' | 'svg';
}

export class UnlockDto {
  @ApiProperty({
    example: 'http://localhost:3000/k/WZ-CBD-01?t=Qm9vdHN0cmFwLXRva2Vu',
    description: 'The URL the citizen scanned',
  })
  @IsString()
  @Length(1, 2048)
  qrUrl: string;
}

export class DisputeDto {
  @ApiProperty({ minLength: 1, maxLength: 500, example: '我只拿了一盒茶叶，却被扣了两盒的钱' })
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class ResolveItemDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 999 })
  @IsInt()
  @Min(1)
  @Max(999)
  slotNo: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 1000 })
  @IsInt()
  @Min(0)
  @Max(1000)
  quantity: number;
}

export class ResolveDto {
  @ApiProperty({ type: [ResolveItemDto], description: 'What was actually taken; empty when nothing was' })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => ResolveItemDto)
  items: ResolveItemDto[];

  @ApiProperty({ minLength: 1, maxLength: 500, example: '监控确认只取走一盒' })
  @IsString()
  @Length(1, 500)
  note: string;
}

export class RestockDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { '1': '01JD3K5Q6W7X8Y9Z0A1B2C3D4E' },
    description:
      'slotNo → the lot that units put into that slot come from (the slot’s own lot when not named)',
  })
  @IsOptional()
  @IsObject()
  lots?: Record<string, string>;

  @ApiPropertyOptional({
    enum: ['RETURN', 'WRITE_OFF'],
    default: 'RETURN',
    description: 'What happens to units taken out',
  })
  @IsOptional()
  @IsIn(['RETURN', 'WRITE_OFF'])
  removed?: 'RETURN' | 'WRITE_OFF';

  @ApiPropertyOptional({ maxLength: 255, example: '临期下架' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  writeOffReason?: string;
}

export class AlertsQuery extends PageQuery {
  @ApiPropertyOptional({ pattern: CODE.source })
  @IsOptional()
  @Matches(CODE, { message: 'cabinetCode must be a cabinet code' })
  cabinetCode?: string;

  @ApiPropertyOptional({ description: 'Only alerts not cleared yet' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  open?: boolean;
}

// --- views ---

export class CabinetCreatedView {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'WZ-CBD-01' }) code: string;
  @ApiProperty({ description: 'The device secret, shown this once: the cabinet signs its messages with it' })
  deviceSecret: string;
  @ApiProperty({ example: 'http://localhost:3000/k/WZ-CBD-01?t=…' }) qrUrl: string;
}

export class ScanQuery {
  @ApiProperty({ description: 'The URL the citizen scanned' })
  @IsString()
  @Length(1, 2048)
  qrUrl: string;
}

/** What anyone who scanned a cabinet's code may know of it. */
export class CabinetScanView {
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty() address: string;
  @ApiProperty({ enum: SiteType }) siteType: SiteType;
  @ApiProperty({ enum: CabinetStatus }) status: CabinetStatus;
  @ApiProperty({ description: 'Someone is using it now' }) busy: boolean;
}

export class SlotView {
  @ApiProperty({ type: 'integer' }) slotNo: number;
  @ApiProperty() productId: string;
  @ApiProperty() lotId: string;
  @ApiProperty({ type: 'integer' }) unitWeightGrams: number;
  @ApiProperty({ type: 'integer' }) toleranceGrams: number;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer' }) parLevel: number;
  @ApiProperty({ description: 'quantity < parLevel' }) low: boolean;
}

export class CabinetView {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: SiteType }) siteType: SiteType;
  @ApiProperty() address: string;
  @ApiProperty({ enum: CabinetStatus }) status: CabinetStatus;
  @ApiProperty({ type: String, nullable: true }) maintenanceReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSeenAt: string | null;
  @ApiProperty() qrUrl: string;
  @ApiProperty({ type: [SlotView] }) slots: SlotView[];
}

export class CabinetListView {
  @ApiProperty({ type: [CabinetView] }) items: CabinetView[];
}

export class SessionItemView {
  @ApiProperty({ type: 'integer' }) slotNo: number;
  @ApiProperty() productId: string;
  @ApiProperty({ type: String, nullable: true }) productName: string | null;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer' }) unitPriceFen: number;
  @ApiProperty({ type: 'integer' }) amountFen: number;
}

export enum SessionPayment {
  /** Nothing to pay (not settled, cancelled, restocking). */
  None = 'NONE',
  /** The charge is under way. */
  Charging = 'CHARGING',
  Paid = 'PAID',
  /** The charge was declined (or could not be made): an unpaid balance the citizen pays from the page. */
  Unpaid = 'UNPAID',
  Refunded = 'REFUNDED',
  PartiallyRefunded = 'PARTIALLY_REFUNDED',
  Cancelled = 'CANCELLED',
}

export class KioskSessionView {
  @ApiProperty() id: string;
  @ApiProperty() cabinetCode: string;
  @ApiProperty() cabinetName: string;
  @ApiProperty({ enum: SessionKind }) kind: SessionKind;
  @ApiProperty({ enum: SessionStatus }) status: SessionStatus;
  @ApiProperty({ format: 'date-time', description: 'The door must open before this' }) expiresAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) openedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @ApiProperty({ type: [SessionItemView] }) items: SessionItemView[];
  @ApiProperty({ type: 'integer' }) totalFen: number;
  @ApiProperty({ type: String, nullable: true }) orderId: string | null;
  @ApiProperty({ enum: SessionPayment }) payment: SessionPayment;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Fen of the total that reached households (once allocated)',
  })
  householdFen: number | null;
  @ApiProperty({
    description: 'Whether the citizen may still dispute it (settled, within the kiosk refund window)',
  })
  disputable: boolean;
  @ApiProperty({ type: String, nullable: true }) disputeReason: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it is in review (or was cancelled), in words',
  })
  reviewReason: string | null;
  @ApiProperty({
    enum: ReasonCode,
    nullable: true,
    description: 'The same as a stable code, for clients to translate',
  })
  reasonCode: ReasonCode | null;
  @ApiProperty({ type: String, nullable: true }) resolutionNote: string | null;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the SMS receipt was sent',
  })
  receiptSentAt: string | null;
}

export class SessionListView {
  @ApiProperty({ type: [KioskSessionView] }) items: KioskSessionView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class EvidenceSlotView {
  @ApiProperty({ type: 'integer' }) slotNo: number;
  @ApiProperty({ type: String, nullable: true }) productId: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) unitWeightGrams: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) toleranceGrams: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) beforeGrams: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) afterGrams: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) deltaGrams: number | null;
  @ApiProperty({ type: [Number] }) candidateQuantities: number[];
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['OUT_OF_TOLERANCE', 'WEIGHT_GREW', 'UNKNOWN_SLOT', 'MISSING_READING'],
  })
  problem: string | null;
}

export class CandidateItemView {
  @ApiProperty({ type: 'integer' }) slotNo: number;
  @ApiProperty() productId: string;
  @ApiProperty({ type: 'integer' }) quantity: number;
}

export class EvidenceView {
  @ApiProperty({ type: [EvidenceSlotView] }) slots: EvidenceSlotView[];
  @ApiProperty({ type: [CandidateItemView] }) candidateItems: CandidateItemView[];
}

export class ReviewView extends KioskSessionView {
  @ApiProperty({ type: EvidenceView }) evidence: EvidenceView;
}

export class ReviewPage {
  @ApiProperty({ type: [ReviewView] }) items: ReviewView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class AlertView {
  @ApiProperty() id: string;
  @ApiProperty() cabinetCode: string;
  @ApiProperty({ type: String, nullable: true }) sessionId: string | null;
  @ApiProperty({ enum: AlertKind }) kind: AlertKind;
  @ApiProperty() detail: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) clearedAt: string | null;
}

export class AlertListView {
  @ApiProperty({ type: [AlertView] }) items: AlertView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class LowStockView {
  @ApiProperty() cabinetCode: string;
  @ApiProperty() cabinetName: string;
  @ApiProperty({ type: 'integer' }) slotNo: number;
  @ApiProperty() productId: string;
  @ApiProperty() lotId: string;
  @ApiProperty({ type: 'integer' }) quantity: number;
  @ApiProperty({ type: 'integer' }) parLevel: number;
}

export class LowStockListView {
  @ApiProperty({ type: [LowStockView] }) items: LowStockView[];
}

export class UnpaidOrderView {
  @ApiProperty() orderId: string;
  @ApiProperty({ type: 'integer' }) totalFen: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class UnpaidBalanceView {
  @ApiProperty({ type: 'integer' }) totalFen: number;
  @ApiProperty({ type: [UnpaidOrderView] }) orders: UnpaidOrderView[];
}

export function mapSlot(s: CabinetSlotEntity): SlotView {
  return {
    slotNo: s.slotNo,
    productId: s.productId,
    lotId: s.lotId,
    unitWeightGrams: s.unitWeightGrams,
    toleranceGrams: s.toleranceGrams,
    quantity: s.quantity,
    parLevel: s.parLevel,
    low: s.quantity < s.parLevel,
  };
}

export function mapCabinet(
  c: CabinetEntity,
  status: CabinetStatus,
  qrUrl: string,
  slots: CabinetSlotEntity[],
): CabinetView {
  return {
    id: c.id,
    code: c.code,
    name: c.name,
    siteType: c.siteType,
    address: c.address,
    status,
    maintenanceReason: c.maintenanceReason,
    lastSeenAt: c.lastSeenAt ? c.lastSeenAt.toISOString() : null,
    qrUrl,
    slots: slots.map(mapSlot),
  };
}

export function mapAlert(a: KioskAlertEntity & { cabinetCode: string }): AlertView {
  return {
    id: a.id,
    cabinetCode: a.cabinetCode,
    sessionId: a.sessionId,
    kind: a.kind,
    detail: a.detail,
    createdAt: a.createdAt.toISOString(),
    clearedAt: a.clearedAt ? a.clearedAt.toISOString() : null,
  };
}

/** What a session view needs besides the session. */
export interface SessionFacts {
  cabinet: { code: string; name: string };
  productNames: Map<string, string>;
  payment: SessionPayment;
  householdFen: number | null;
  disputable: boolean;
}

export function mapSession(s: KioskSessionEntity, f: SessionFacts): KioskSessionView {
  return {
    id: s.id,
    cabinetCode: f.cabinet.code,
    cabinetName: f.cabinet.name,
    kind: s.kind,
    status: s.status,
    expiresAt: s.unlockExpiresAt.toISOString(),
    openedAt: s.openedAt ? s.openedAt.toISOString() : null,
    closedAt: s.closedAt ? s.closedAt.toISOString() : null,
    items: (s.items ?? []).map((i: SessionItem) => ({
      slotNo: i.slotNo,
      productId: i.productId,
      productName: i.productName ?? f.productNames.get(i.productId) ?? null,
      quantity: i.quantity,
      unitPriceFen: i.unitPriceFen,
      amountFen: i.amountFen,
    })),
    totalFen: s.totalFen,
    orderId: s.orderId,
    payment: f.payment,
    householdFen: f.householdFen,
    disputable: f.disputable,
    disputeReason: s.disputeReason,
    reviewReason: s.reviewReason,
    reasonCode: s.reasonCode,
    resolutionNote: s.resolutionNote,
    receiptSentAt: s.receiptSentAt ? s.receiptSentAt.toISOString() : null,
  };
}

export function mapReview(s: KioskSessionEntity, f: SessionFacts): ReviewView {
  const evidence: ReviewEvidence = s.evidence ?? { slots: [], candidateItems: [] };
  return { ...mapSession(s, f), evidence };
}
