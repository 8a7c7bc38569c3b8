import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAt, IdColumn, RefColumn, UpdatedAt } from '@/common/entity-columns';

export enum ImportStatus {
  Running = 'RUNNING',
  Done = 'DONE',
}

/** A platform's order export handed in for a session, imported by a background job. */
@Entity('live_imports')
export class LiveImportEntity {
  @IdColumn() id: string;

  @RefColumn('session_id') sessionId: string;

  @Column({ type: 'varchar', length: 24 })
  platform: string;

  @Column({ name: 'shop_id', type: 'varchar', length: 64, default: '' })
  shopId: string;

  @Column({ type: 'varchar', length: 8 })
  status: ImportStatus;

  @Column({ name: 'rows_total', type: 'int', nullable: true })
  rowsTotal: number | null;

  @Column({ name: 'rows_done', type: 'int', default: 0 })
  rowsDone: number;

  @Column({ name: 'rows_accepted', type: 'int', default: 0 })
  rowsAccepted: number;

  @Column({ name: 'rows_refunded', type: 'int', default: 0 })
  rowsRefunded: number;

  @Column({ name: 'rows_repeated', type: 'int', default: 0 })
  rowsRepeated: number;

  @RefColumn('created_by') createdBy: string;

  @CreatedAt() createdAt: Date;
  @UpdatedAt() updatedAt: Date;
}

/** The uploaded file, in chunks (a worker on another machine reads it from here). */
@Entity('live_import_chunks')
export class LiveImportChunkEntity {
  @PrimaryColumn({ name: 'import_id', type: 'char', length: 26 })
  importId: string;

  @PrimaryColumn({ name: 'chunk_no', type: 'int' })
  chunkNo: number;

  @Column({ type: 'mediumblob' })
  data: Buffer;
}

/** A row of an import that was not taken, and why. */
@Entity('live_import_refusals')
export class LiveImportRefusalEntity {
  @PrimaryColumn({ name: 'import_id', type: 'char', length: 26 })
  importId: string;

  @PrimaryColumn({ name: 'row_no', type: 'int' })
  rowNo: number;

  @Column({ type: 'varchar', length: 255 })
  reason: string;
}

/** A platform's sub-order counted once: (platform, shop, sub-order id) names it for good. */
@Entity('live_external_sales')
@Index('ix_live_external_sales_sale', ['saleOrderId'])
export class LiveExternalSaleEntity {
  @PrimaryColumn({ type: 'varchar', length: 24 })
  platform: string;

  @PrimaryColumn({ name: 'shop_id', type: 'varchar', length: 64 })
  shopId: string;

  @PrimaryColumn({ name: 'sub_order_id', type: 'varchar', length: 40 })
  subOrderId: string;

  @Column({ name: 'order_id', type: 'varchar', length: 40 })
  platformOrderId: string;

  @RefColumn('sale_order_id') saleOrderId: string;

  @RefColumn('session_id') sessionId: string;

  @Column({ type: 'tinyint', unsigned: true, default: 0 })
  refunded: number;

  @CreatedAt() createdAt: Date;
}
