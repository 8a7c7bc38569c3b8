import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAt, IdColumn, RefColumn, UpdatedAt } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

/**
 * An organization's commitment for a year: a fixed amount, or a reserved share (basis points) of its declared
 * canteen food purchases, whose product (rounded down) is the amount.
 */
@Entity('procurement_quotas')
export class ProcurementQuotaEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'char', length: 26 })
  organizationId: string;

  @PrimaryColumn({ type: 'smallint' })
  year: number;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;

  @MoneyColumn({ name: 'canteen_base_fen', nullable: true })
  canteenBaseFen: number | null;

  @Column({ name: 'share_bps', type: 'int', nullable: true })
  shareBps: number | null;

  @UpdatedAt() updatedAt: Date;
}

export enum EmploymentStatus {
  Pending = 'PENDING',
  Confirmed = 'CONFIRMED',
}

/** A citizen's link to the organization it works for; once confirmed its purchases count toward that quota. */
@Entity('organization_employees')
@Index('ix_organization_employees_org', ['organizationId', 'status'])
export class OrganizationEmployeeEntity {
  @PrimaryColumn({ name: 'user_id', type: 'char', length: 26 })
  userId: string;

  @RefColumn('organization_id') organizationId: string;

  @Column({ type: 'varchar', length: 12 })
  status: EmploymentStatus;

  @Column({ name: 'requested_at', type: 'datetime', precision: 3 })
  requestedAt: Date;

  @Column({ name: 'confirmed_at', type: 'datetime', precision: 3, nullable: true })
  confirmedAt: Date | null;

  @RefColumn('confirmed_by', true) confirmedBy: string | null;
}

export enum ProcurementStatus {
  Draft = 'DRAFT',
  Submitted = 'SUBMITTED',
  Approved = 'APPROVED',
  Rejected = 'REJECTED',
  Confirmed = 'CONFIRMED',
  Shipped = 'SHIPPED',
  Accepted = 'ACCEPTED',
  Paid = 'PAID',
  /** Called off by its buyer before anything shipped. */
  Cancelled = 'CANCELLED',
}

/** A unit's order, from its draft to its payment; its core order is placed when it is approved. */
@Entity('procurement_orders')
// Covers an organization's progress and the yearly report by organization: read from the index alone.
@Index('ix_procurement_orders_org', [
  'organizationId',
  'status',
  'acceptedDate',
  'acceptedFen',
  'submittedDate',
  'orderedFen',
])
@Index('ix_procurement_orders_accepted', ['acceptedDate', 'organizationId'])
@Index('ix_procurement_orders_submitted', ['submittedDate', 'organizationId'])
@Index('ix_procurement_orders_due', ['status', 'dueDate'])
export class ProcurementOrderEntity {
  @IdColumn() id: string;

  @RefColumn('organization_id') organizationId: string;

  @Column({ type: 'varchar', length: 12 })
  status: ProcurementStatus;

  @Column({ name: 'delivery_address', type: 'varchar', length: 255 })
  deliveryAddress: string;

  /** What the lines cost as ordered. */
  @MoneyColumn({ name: 'ordered_fen' })
  orderedFen: number;

  /** What arrived and was accepted (0 until accepted). */
  @MoneyColumn({ name: 'accepted_fen', default: 0 })
  acceptedFen: number;

  @RefColumn('created_by') createdBy: string;
  @RefColumn('submitted_by', true) submittedBy: string | null;

  @Column({ name: 'submitted_date', type: 'date', nullable: true })
  submittedDate: string | null;

  @RefColumn('decided_by', true) decidedBy: string | null;

  @Column({ name: 'reject_reason', type: 'varchar', length: 255, nullable: true })
  rejectReason: string | null;

  @Column({ name: 'accepted_date', type: 'date', nullable: true })
  acceptedDate: string | null;

  @Column({ name: 'invoice_no', type: 'varchar', length: 64, nullable: true })
  invoiceNo: string | null;

  @MoneyColumn({ name: 'invoice_fen', nullable: true })
  invoiceFen: number | null;

  /** Payment is due within 30 days of acceptance. */
  @Column({ name: 'due_date', type: 'date', nullable: true })
  dueDate: string | null;

  @Column({ name: 'paid_at', type: 'datetime', precision: 3, nullable: true })
  paidAt: Date | null;

  @Column({ name: 'payment_ref', type: 'varchar', length: 64, nullable: true })
  paymentRef: string | null;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}

/** One product on a procurement order; each supplier confirms and ships its own lines. */
@Entity('procurement_lines')
@Index('uq_procurement_lines_order_no', ['orderId', 'lineNo'], { unique: true })
@Index('ix_procurement_lines_supplier', ['supplierId', 'orderId'])
export class ProcurementLineEntity {
  @IdColumn() id: string;

  @RefColumn('order_id') orderId: string;

  @Column({ name: 'line_no', type: 'int' })
  lineNo: number;

  @RefColumn('product_id') productId: string;

  @Column({ name: 'product_name', type: 'varchar', length: 128 })
  productName: string;

  @Column({ type: 'varchar', length: 64 })
  category: string;

  @RefColumn('supplier_id') supplierId: string;

  @Column({ type: 'int' })
  quantity: number;

  @MoneyColumn({ name: 'unit_price_fen' })
  unitPriceFen: number;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;

  @Column({ name: 'received_quantity', type: 'int', nullable: true })
  receivedQuantity: number | null;

  @Column({ name: 'confirmed_at', type: 'datetime', precision: 3, nullable: true })
  confirmedAt: Date | null;

  @Column({ name: 'shipped_at', type: 'datetime', precision: 3, nullable: true })
  shippedAt: Date | null;
}

/** The audit trail: who did what to a procurement order, and when. */
@Entity('procurement_events')
@Index('ix_procurement_events_order', ['orderId', 'at'])
export class ProcurementEventEntity {
  @IdColumn() id: string;

  @RefColumn('order_id') orderId: string;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;

  /** Who did it; null for the service itself (the daily reminder). */
  @RefColumn('user_id', true) userId: string | null;

  @Column({ type: 'varchar', length: 24 })
  action: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  detail: string | null;
}

/** An assistance group's market day in a village (扶贫赶场). */
@Entity('fairs')
@Index('ix_fairs_date', ['date'])
export class FairEntity {
  @IdColumn() id: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ name: 'village_code', type: 'varchar', length: 32 })
  villageCode: string;

  @Column({ type: 'date' })
  date: string;

  /** The assistance group holding it. */
  @RefColumn('organization_id', true) organizationId: string | null;

  @RefColumn('created_by') createdBy: string;

  @CreatedAt() createdAt: Date;
}

/** What was bought from one household at its stall: that household's income, channel FAIR. */
@Entity('fair_sales')
@Index('ix_fair_sales_fair', ['fairId'])
@Index('ix_fair_sales_buyer', ['buyerOrganizationId', 'saleDate'])
export class FairSaleEntity {
  @IdColumn() id: string;

  @RefColumn('fair_id') fairId: string;

  @RefColumn('household_id') householdId: string;

  @RefColumn('product_id', true) productId: string | null;

  @Column({ type: 'varchar', length: 128 })
  description: string;

  @Column({ type: 'int' })
  quantity: number;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;

  @RefColumn('buyer_organization_id', true) buyerOrganizationId: string | null;

  /** The fair's date. */
  @Column({ name: 'sale_date', type: 'date' })
  saleDate: string;

  /** The order it became in the order core. */
  @RefColumn('order_id') orderId: string;

  @RefColumn('recorded_by') recordedBy: string;

  @CreatedAt() createdAt: Date;
}
