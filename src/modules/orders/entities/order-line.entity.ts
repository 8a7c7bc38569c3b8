import { Column, Entity, Index } from 'typeorm';
import { IdColumn } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

/**
 * One product from one lot at the unit price of the time; or, for a household selling at its own stall (a
 * fair), what it sold: then `householdId` names it, the whole line is its income, and product, lot and
 * supplier are empty unless the stall sold a catalog product.
 */
@Entity('order_lines')
@Index('uq_order_lines_order_no', ['orderId', 'lineNo'], { unique: true })
export class OrderLineEntity {
  @IdColumn() id: string;

  @Column({ name: 'order_id', type: 'char', length: 26 })
  orderId: string;

  @Column({ name: 'line_no', type: 'int' })
  lineNo: number;

  @Column({ name: 'product_id', type: 'char', length: 26, nullable: true })
  productId: string | null;

  @Index('ix_order_lines_lot')
  @Column({ name: 'lot_id', type: 'char', length: 26, nullable: true })
  lotId: string | null;

  @Column({ name: 'supplier_id', type: 'char', length: 26, nullable: true })
  supplierId: string | null;

  /** The household that sold this line itself (a fair's stall); null for goods from a lot. */
  @Column({ name: 'household_id', type: 'char', length: 26, nullable: true })
  householdId: string | null;

  @Column({ type: 'int' })
  quantity: number;

  @MoneyColumn({ name: 'unit_price_fen' })
  unitPriceFen: number;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;

  @MoneyColumn({ name: 'refunded_fen', default: 0 })
  refundedFen: number;
}
