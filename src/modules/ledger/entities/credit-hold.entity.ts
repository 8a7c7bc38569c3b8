import { Entity, PrimaryColumn } from 'typeorm';
import { CreatedAt } from '@/common/entity-columns';

/**
 * An order whose household credits are held (its sale is disputed): credits posted while the hold stands
 * are PENDING with no date, and releasing it dates them all.
 */
@Entity('credit_holds')
export class CreditHoldEntity {
  @PrimaryColumn({ name: 'order_id', type: 'char', length: 26 })
  orderId: string;

  @CreatedAt() createdAt: Date;
}
