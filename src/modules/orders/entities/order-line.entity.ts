import { Column, Entity, Index } from 'typeorm';
import { IdColumn } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

/** One product from one lot at the unit price of the time. */
@Entity('order_lines')
@Index('uq_order_lines_order_no', ['orderId', 'lineNo'], { unique: true })
export class OrderLineEntity {
  @IdColumn() id: string;

  @Column({ name: 'order_id', type: 'char', length: 26 })
  orderId: string;

  @Column({ name: 'line_no', type: 'int' })
  lineNo: number;

  @Column({ name: 'product_id', type: 'char', length: 26 })
  productId: string;

  @Index('ix_order_lines_lot')
  @Column({ name: 'lot_id', type: 'char', length: 26 })
  lotId: string;

  @Column({ name: 'supplier_id', type: 'char', length: 26 })
  supplierId: string;

  @Column({ type: 'int' })
  quantity: number;

  @MoneyColumn({ name: 'unit_price_fen' })
  unitPriceFen: number;

  @MoneyColumn({ name: 'amount_fen' })
  amountFen: number;

  @MoneyColumn({ name: 'refunded_fen', default: 0 })
  refundedFen: number;
}
