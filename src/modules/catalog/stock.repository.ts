import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { Statement } from '@/infrastructure/database/transaction';
import { SupplyLotEntity } from './entities/supply-lot.entity';

/** Something that runs statements inside a transaction it holds (a `BatchTransaction`). */
export interface StatementRunner {
  run(statements: readonly Statement[]): Promise<unknown[]>;
}

/** One row of the order-planning read: a product, and one of its lots with stock (or none). */
export interface PlanRow {
  productId: string;
  name: string;
  priceFen: number;
  supplierId: string;
  certificateNo: string | null;
  certifiedUntil: string | null;
  lotId: string | null;
  remaining: number | null;
}

interface PlanRawRow {
  id: string;
  name: string;
  priceFen: string;
  supplierId: string;
  certificateNo: string | null;
  certifiedUntil: string | null;
  lotId: string | null;
  remaining: string | null;
}

const planRowFrom = (r: PlanRawRow): PlanRow => ({
  productId: r.id,
  name: r.name,
  priceFen: Number(r.priceFen),
  supplierId: r.supplierId,
  certificateNo: r.certificateNo,
  certifiedUntil: r.certifiedUntil,
  lotId: r.lotId,
  remaining: r.remaining === null ? null : Number(r.remaining),
});

/** The queries that read and move stock: `supply_lots.remaining`. */
@Injectable()
export class StockRepository {
  constructor(
    @InjectRepository(SupplyLotEntity) private readonly lots: Repository<SupplyLotEntity>,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /** Per product, the sum of its lots' remaining units among lots unexpired on `today`; no lots, no entry. */
  async stockOf(productIds: readonly string[], today: string): Promise<Map<string, number>> {
    if (productIds.length === 0) {
      return new Map();
    }
    const rows = (await this.lots
      .createQueryBuilder('l')
      .select('l.product_id', 'productId')
      .addSelect('SUM(l.remaining)', 'stock')
      .where({ productId: In([...productIds]) })
      .andWhere('(l.expires_at IS NULL OR l.expires_at >= :today)', { today })
      .groupBy('l.product_id')
      .getRawMany()) as { productId: string; stock: string }[];
    return new Map(rows.map((r) => [r.productId, Number(r.stock)]));
  }

  /**
   * The named products joined with their lots that hold stock and are unexpired on `today`, per product
   * first-expiring first (lots without a date last, then by id); a product without such lots comes once
   * with a null lot. With `lockIn` the read runs in that transaction and locks the rows (FOR UPDATE).
   */
  async planRows(productIds: readonly string[], today: string, lockIn?: StatementRunner): Promise<PlanRow[]> {
    const statement: Statement = [
      `SELECT p.id, p.name, p.price_fen AS priceFen, p.supplier_id AS supplierId, p.certificate_no AS certificateNo,
              p.certified_until AS certifiedUntil, l.id AS lotId, l.remaining
         FROM products p
         LEFT JOIN supply_lots l
           ON l.product_id = p.id AND l.remaining > 0 AND (l.expires_at IS NULL OR l.expires_at >= ?)
        WHERE p.id IN (${productIds.map(() => '?').join(',')})
        ORDER BY p.id, l.expires_at IS NULL, l.expires_at, l.id${lockIn ? ' FOR UPDATE' : ''}`,
      [today, ...productIds],
    ];
    const rows = (
      lockIn ? (await lockIn.run([statement]))[0] : await this.db.query(statement[0], [...statement[1]!])
    ) as PlanRawRow[];
    return rows.map(planRowFrom);
  }

  /**
   * The statements that take units from lots inside the caller's batched transaction. `remaining` is
   * UNSIGNED, so a decrement below zero fails with `ER_DATA_OUT_OF_RANGE` and stops the batch.
   */
  takeStatements(takes: readonly { lotId: string; quantity: number }[]): Statement[] {
    return takes.map(
      (t) =>
        ['UPDATE supply_lots SET remaining = remaining - ? WHERE id = ?', [t.quantity, t.lotId]] as const,
    );
  }

  /** Takes units off a lot inside the caller's transaction; `ER_DATA_OUT_OF_RANGE` when it holds fewer. */
  async take(em: EntityManager, lotId: string, quantity: number): Promise<void> {
    const [[sql, params]] = this.takeStatements([{ lotId, quantity }]);
    await em.query(sql, [...params!]);
  }

  /** Puts units back on a lot inside the caller's transaction. */
  async putBack(em: EntityManager, lotId: string, quantity: number): Promise<void> {
    await em.query('UPDATE supply_lots SET remaining = remaining + ? WHERE id = ?', [quantity, lotId]);
  }
}
