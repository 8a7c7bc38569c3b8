import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn, UpdatedAt } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

export enum Channel {
  Kiosk = 'KIOSK',
  Livestream = 'LIVESTREAM',
  Procurement = 'PROCUREMENT',
  Fair = 'FAIR',
  Online = 'ONLINE',
}

export enum OrderStatus {
  PendingPayment = 'PENDING_PAYMENT',
  Paid = 'PAID',
  Cancelled = 'CANCELLED',
  Refunded = 'REFUNDED',
  PartiallyRefunded = 'PARTIALLY_REFUNDED',
}

/** Who brought the sale about: a cabinet, a live session and host, an organization. */
export interface Attribution {
  cabinetCode?: string;
  liveSessionId?: string;
  hostId?: string;
  /** The live offer the units came from. */
  offerId?: string;
  /** A sale made on another platform and imported (a livestream shop's order export). */
  external?: { platform: string; shopId: string; orderId: string; subOrderId: string };
  /** The buying organization (a unit's procurement, a fair purchase made for it). */
  organizationId?: string;
  fairId?: string;
  /** The buyer's confirmed employer when the order was placed: its purchase counts toward that quota. */
  employerId?: string;
}

/** The one order model every channel uses. */
@Entity('orders')
@Index('ix_orders_status_pay_by', ['status', 'payBy'])
@Index('ix_orders_paid_date', ['paidDate', 'channel'])
// Covers the sums of employers' purchases: read from the index alone.
@Index('ix_orders_employer', ['employerId', 'paidDate', 'status', 'totalFen', 'refundedFen'])
export class OrderEntity {
  @IdColumn() id: string;

  @Index('ix_orders_buyer')
  @Column({ name: 'buyer_user_id', type: 'char', length: 26 })
  buyerUserId: string;

  @Column({ type: 'varchar', length: 16 })
  channel: Channel;

  @Column({ type: 'varchar', length: 20 })
  status: OrderStatus;

  @MoneyColumn({ name: 'total_fen' })
  totalFen: number;

  @MoneyColumn({ name: 'refunded_fen', default: 0 })
  refundedFen: number;

  /** The payment deadline; null for channels that charge after use or invoice (see ChannelPolicy). */
  @Column({ name: 'pay_by', type: 'datetime', precision: 3, nullable: true })
  payBy: Date | null;

  @Column({ name: 'paid_at', type: 'datetime', precision: 3, nullable: true })
  paidAt: Date | null;

  /** Business date (Asia/Shanghai) of the payment. */
  @Column({ name: 'paid_date', type: 'date', nullable: true })
  paidDate: string | null;

  @Column({ type: 'json', nullable: true })
  attribution: Attribution | null;

  /** `attribution.employerId`, kept in a column of its own so an employer's purchases are read by index. */
  @Column({ name: 'employer_id', type: 'char', length: 26, nullable: true, select: false })
  employerId?: string | null;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
