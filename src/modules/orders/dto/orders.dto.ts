import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageOf, PageQuery } from '@/common/pagination';
import { NotEmptyWhenGiven } from '@/common/validation';
import { Attribution, Channel, OrderEntity, OrderStatus } from '../entities/order.entity';
import { OrderLineEntity } from '../entities/order-line.entity';
import { PaymentEntity, PaymentStatus } from '../entities/payment.entity';
import { RefundEntity } from '../entities/refund.entity';

export class OrderLineDto {
  @ApiProperty({ description: 'A certified product' })
  @IsString()
  productId: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10_000, example: 2 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  quantity: number;

  @ApiPropertyOptional({ description: 'The lot to take from; first-expiring-first when omitted' })
  @IsOptional()
  @IsString()
  @NotEmptyWhenGiven()
  lotId?: string;
}

export class CreateOrderDto {
  @ApiProperty({ type: [OrderLineDto], minItems: 1, maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  lines: OrderLineDto[];
}

export class OrderListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OrderStatus, enumName: 'OrderStatus' })
  @IsOptional()
  @IsEnum(OrderStatus)
  status?: OrderStatus;

  @ApiPropertyOptional({ enum: Channel, enumName: 'Channel' })
  @IsOptional()
  @IsEnum(Channel)
  channel?: Channel;
}

export class CreatePaymentDto {
  @ApiProperty({ enum: ['sandbox'], example: 'sandbox' })
  @IsIn(['sandbox'])
  provider: string;
}

export class CreateRefundDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 1990,
    description: 'Fen; at most what is left to refund',
  })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amountFen: number;

  @ApiProperty({ minLength: 1, maxLength: 255, example: '破损' })
  @IsString()
  @Length(1, 255)
  reason: string;
}

export class OrderLineView {
  @ApiProperty()
  id: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "null for a stall sale of the household's own goods",
  })
  productId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The supply lot the goods came from; null for a stall sale',
  })
  lotId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The household that sold the line at its own stall (a fair)',
  })
  householdId: string | null;

  @ApiProperty({ type: 'integer', example: 2 })
  quantity: number;

  @ApiProperty({ type: 'integer', example: 3990, description: 'Fen' })
  unitPriceFen: number;

  @ApiProperty({ type: 'integer', example: 7980, description: 'Fen: quantity × unitPriceFen' })
  amountFen: number;

  @ApiProperty({ type: 'integer', example: 0, description: 'Fen refunded of this line' })
  refundedFen: number;
}

/** A sale made on another platform and imported. */
export class ExternalSaleView {
  @ApiProperty({ example: 'DOUYIN' })
  platform: string;

  @ApiProperty({ description: "The platform shop's id ('' when the export did not name it)" })
  shopId: string;

  @ApiProperty({ example: '6912345678901234567', description: 'The platform order id, digits kept as text' })
  orderId: string;

  @ApiProperty({ example: '6912345678901234568' })
  subOrderId: string;
}

/** Who brought the sale about: a cabinet, a live session and host, an organization, a fair. */
export class AttributionView implements Attribution {
  @ApiPropertyOptional()
  cabinetCode?: string;

  @ApiPropertyOptional()
  liveSessionId?: string;

  @ApiPropertyOptional()
  hostId?: string;

  @ApiPropertyOptional({ description: 'The live offer the units came from' })
  offerId?: string;

  @ApiPropertyOptional({
    type: ExternalSaleView,
    description: 'Set on sales imported from a platform export',
  })
  external?: ExternalSaleView;

  @ApiPropertyOptional()
  organizationId?: string;

  @ApiPropertyOptional()
  fairId?: string;
}

export class OrderView {
  @ApiProperty()
  id: string;

  @ApiProperty({ enum: Channel, enumName: 'Channel' })
  channel: Channel;

  @ApiProperty({ enum: OrderStatus, enumName: 'OrderStatus' })
  status: OrderStatus;

  @ApiProperty({ type: 'integer', example: 7980, description: 'Fen' })
  totalFen: number;

  @ApiProperty({ type: 'integer', example: 0, description: 'Fen' })
  refundedFen: number;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The payment deadline; null for channels charged after use or invoiced',
  })
  payBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  paidAt: string | null;

  @ApiProperty({ type: [OrderLineView] })
  lines: OrderLineView[];

  @ApiProperty({ type: AttributionView, nullable: true })
  attribution: Attribution | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export const OrderPage = PageOf(OrderView);

export const mapOrder = (o: OrderEntity, lines: OrderLineEntity[]): OrderView => ({
  id: o.id,
  channel: o.channel,
  status: o.status,
  totalFen: o.totalFen,
  refundedFen: o.refundedFen,
  payBy: o.payBy ? o.payBy.toISOString() : null,
  paidAt: o.paidAt ? o.paidAt.toISOString() : null,
  lines: lines.map((l) => ({
    id: l.id,
    productId: l.productId,
    lotId: l.lotId,
    householdId: l.householdId,
    quantity: l.quantity,
    unitPriceFen: l.unitPriceFen,
    amountFen: l.amountFen,
    refundedFen: l.refundedFen,
  })),
  attribution: o.attribution,
  createdAt: o.createdAt.toISOString(),
});

export class PaymentView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  orderId: string;

  @ApiProperty({ example: 'sandbox' })
  provider: string;

  @ApiProperty({ enum: PaymentStatus, enumName: 'PaymentStatus' })
  status: PaymentStatus;

  @ApiProperty({ type: 'integer', example: 7980, description: 'Fen' })
  amountFen: number;

  @ApiProperty({ type: String, nullable: true })
  failureReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  capturedAt: string | null;
}

export const mapPayment = (p: PaymentEntity): PaymentView => ({
  id: p.id,
  orderId: p.orderId,
  provider: p.provider,
  status: p.status,
  amountFen: p.amountFen,
  failureReason: p.failureReason,
  capturedAt: p.capturedAt ? p.capturedAt.toISOString() : null,
});

export class RefundLineView {
  @ApiProperty()
  lineId: string;

  @ApiProperty({ type: 'integer', example: 1990, description: 'Fen' })
  amountFen: number;
}

export class RefundView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  orderId: string;

  @ApiProperty({ type: 'integer', example: 1990, description: 'Fen' })
  amountFen: number;

  @ApiProperty()
  reason: string;

  @ApiProperty({
    type: [RefundLineView],
    description: 'How the amount splits over the lines (largest remainder)',
  })
  lines: RefundLineView[];

  @ApiProperty({ format: 'date', description: 'Business date (Asia/Shanghai)' })
  refundDate: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export const mapRefund = (r: RefundEntity): RefundView => ({
  id: r.id,
  orderId: r.orderId,
  amountFen: r.amountFen,
  reason: r.reason,
  lines: r.lineAmounts,
  refundDate: r.refundDate,
  createdAt: r.createdAt.toISOString(),
});

export class NotificationReceivedView {
  @ApiProperty({ enum: [true] })
  received: true;
}

export class CreateAgreementDto {
  @ApiProperty({ enum: ['sandbox'], example: 'sandbox' })
  @IsIn(['sandbox'])
  provider: string;
}

/** A pay-after-use authorisation (its provider reference is never shown). */
export class AgreementView {
  @ApiProperty({ example: '01JD3K5Q6W7X8Y9Z0A1B2C3D4E' }) id: string;
  @ApiProperty({ example: 'sandbox' }) provider: string;
  @ApiProperty({ enum: ['ACTIVE', 'REVOKED'] }) status: 'ACTIVE' | 'REVOKED';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export function mapAgreement(a: {
  id: string;
  provider: string;
  status: 'ACTIVE' | 'REVOKED';
  createdAt: Date;
}): AgreementView {
  return { id: a.id, provider: a.provider, status: a.status, createdAt: a.createdAt.toISOString() };
}
