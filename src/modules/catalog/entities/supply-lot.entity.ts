import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn } from '@/common/entity-columns';

/** A batch of a product; `remaining` is its stock, which never goes below zero. */
@Entity('supply_lots')
@Index('ix_lots_product_expiry', ['productId', 'expiresAt'])
export class SupplyLotEntity {
  @IdColumn() id: string;

  @Column({ name: 'product_id', type: 'char', length: 26 })
  productId: string;

  @Column({ type: 'int' })
  quantity: number;

  @Column({ type: 'int', unsigned: true })
  remaining: number;

  @Column({ name: 'produced_at', type: 'date', nullable: true })
  producedAt: string | null;

  @Column({ name: 'expires_at', type: 'date', nullable: true })
  expiresAt: string | null;

  @CreatedAt() createdAt: Date;
}
