import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { MoneyColumn } from '@/common/money';

export interface Discrepancy {
  kind: string;
  channel?: string;
  orderId?: string;
  lineId?: string;
  paymentId?: string;
  expectedFen?: number;
  actualFen?: number;
  healed: boolean;
  detail: string;
}

/** The outcome of reconciling one business date. */
@Entity('reconciliations')
export class ReconciliationEntity {
  @PrimaryColumn({ name: 'business_date', type: 'date' })
  date: string;

  /** RUNNING, BALANCED or DISCREPANCIES. */
  @Column({ type: 'varchar', length: 16 })
  status: string;

  @MoneyColumn({ name: 'payments_fen', default: 0 })
  paymentsFen: number;

  @MoneyColumn({ name: 'paid_orders_fen', default: 0 })
  paidOrdersFen: number;

  @MoneyColumn({ name: 'posted_fen', default: 0 })
  postedFen: number;

  @Column({ name: 'by_channel', type: 'json', nullable: true })
  byChannel: Record<string, { paymentsFen: number; paidOrdersFen: number; postedFen: number }> | null;

  @Column({ type: 'json', nullable: true })
  discrepancies: Discrepancy[] | null;

  @UpdateDateColumn({
    name: 'updated_at',
    type: 'datetime',
    precision: 3,
    default: () => 'CURRENT_TIMESTAMP(3)',
    onUpdate: 'CURRENT_TIMESTAMP(3)',
  })
  updatedAt: Date;
}
