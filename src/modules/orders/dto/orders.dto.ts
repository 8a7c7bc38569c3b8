import { ApiPropertyOptional } from '@nestjs/swagger';
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
import { PageQuery } from '@/common/pagination';
import { NotEmptyWhenGiven } from '@/common/validation';
import { Attribution, Channel, OrderEntity, OrderStatus } from '../entities/order.entity';
import { OrderLineEntity } from '../entities/order-line.entity';
import { PaymentEntity, PaymentStatus } from '../entities/payment.entity';
import { RefundEntity } from '../entities/refund.entity';

export class OrderLineDto {
  @IsString()
  productId: string;

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
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  lines: OrderLineDto[];
}

export class OrderListQuery extends PageQuery {
  @IsOptional()
  @IsEnum(OrderStatus)
  status?: OrderStatus;

  @IsOptional()
  @IsEnum(Channel)
  channel?: Channel;
}

export class CreatePaymentDto {
  @IsIn(['sandbox'])
  provider: string;
}

export class CreateRefundDto {
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  amountFen: number;

  @IsString()
  @Length(1, 255)
  reason: string;
}

export interface OrderLineView {
  id: string;
  productId: string;
  lotId: string;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
  refundedFen: number;
}

export interface OrderView {
  id: string;
  channel: Channel;
  status: OrderStatus;
  totalFen: number;
  refundedFen: number;
  /** The payment deadline; null for channels charged after use or invoiced. */
  payBy: string | null;
  paidAt: string | null;
  lines: OrderLineView[];
  attribution: Attribution | null;
  createdAt: string;
}

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
    quantity: l.quantity,
    unitPriceFen: l.unitPriceFen,
    amountFen: l.amountFen,
    refundedFen: l.refundedFen,
  })),
  attribution: o.attribution,
  createdAt: o.createdAt.toISOString(),
});

export interface PaymentView {
  id: string;
  orderId: string;
  provider: string;
  status: PaymentStatus;
  amountFen: number;
  failureReason: string | null;
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

export const mapRefund = (r: RefundEntity) => ({
  id: r.id,
  orderId: r.orderId,
  amountFen: r.amountFen,
  reason: r.reason,
  lines: r.lineAmounts,
  refundDate: r.refundDate,
  createdAt: r.createdAt.toISOString(),
});
