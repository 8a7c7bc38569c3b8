import { Column, Entity, Index } from 'typeorm';
import { CreatedAt, IdColumn, UpdatedAt } from '@/common/entity-columns';
import { MoneyColumn } from '@/common/money';

export enum ProductStatus {
  Certified = 'CERTIFIED',
  Uncertified = 'UNCERTIFIED',
}

@Entity('products')
@Index('ix_products_category', ['category', 'id'])
export class ProductEntity {
  @IdColumn() id: string;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @Column({ type: 'varchar', length: 32 })
  category: string;

  @Column({ type: 'varchar', length: 16 })
  unit: string;

  @MoneyColumn({ name: 'price_fen' })
  priceFen: number;

  @Index('ix_products_supplier')
  @Column({ name: 'supplier_id', type: 'char', length: 26 })
  supplierId: string;

  @Column({ name: 'origin_village_code', type: 'varchar', length: 32 })
  originVillageCode: string;

  @Column({ name: 'certificate_no', type: 'varchar', length: 64, nullable: true })
  certificateNo: string | null;

  /** Last day (Asia/Shanghai) the certificate is valid. */
  @Column({ name: 'certified_until', type: 'date', nullable: true })
  certifiedUntil: string | null;

  /** Kept current by the daily certification sweep; reads also derive it from certifiedUntil. */
  @Column({ type: 'varchar', length: 16 })
  status: ProductStatus;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}
