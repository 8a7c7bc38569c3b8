import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Statement } from '@/infrastructure/database/transaction';
import { ImportStatus, LiveImportEntity } from '../entities/live-import.entity';

/** Up to this many bytes per stored chunk of an uploaded file (under MySQL's default max_allowed_packet). */
export const CHUNK_BYTES = 1 << 20;

/** A sub-order already counted. */
export interface KnownSale {
  subOrderId: string;
  saleOrderId: string;
  refunded: boolean;
}

const IMPORT_COLUMNS = `SELECT id, session_id AS sessionId, platform, shop_id AS shopId, status, rows_total AS rowsTotal,
  rows_done AS rowsDone, rows_accepted AS rowsAccepted, rows_refunded AS rowsRefunded, rows_repeated AS rowsRepeated,
  created_by AS createdBy, created_at AS createdAt, updated_at AS updatedAt FROM live_imports`;

/** The SQL of platform imports: the import and its file, its refusals, and the sub-orders counted. */
@Injectable()
export class ImportsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The statements that store a new import (first) and its file in chunks (each its own statement). */
  insertStatements(i: LiveImportEntity, file: Buffer): Statement[] {
    const chunks: Statement[] = [];
    for (let n = 0, at = 0; at < file.length || n === 0; n++, at += CHUNK_BYTES) {
      chunks.push([
        'INSERT INTO live_import_chunks (import_id, chunk_no, data) VALUES (?, ?, ?)',
        [i.id, n, file.subarray(at, at + CHUNK_BYTES)],
      ]);
    }
    return [
      [
        `INSERT INTO live_imports (id, session_id, platform, shop_id, status, rows_total, rows_done, rows_accepted,
           rows_refunded, rows_repeated, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, NULL, 0, 0, 0, 0, ?, ?, ?)`,
        [i.id, i.sessionId, i.platform, i.shopId, i.status, i.createdBy, i.createdAt, i.updatedAt],
      ],
      ...chunks,
    ];
  }

  async find(id: string): Promise<LiveImportEntity | null> {
    const [r] = (await this.db.query(`${IMPORT_COLUMNS} WHERE id = ?`, [id])) as Record<string, unknown>[];
    return r
      ? Object.assign(new LiveImportEntity(), r, {
          rowsTotal: r.rowsTotal === null ? null : Number(r.rowsTotal),
          rowsDone: Number(r.rowsDone),
          rowsAccepted: Number(r.rowsAccepted),
          rowsRefunded: Number(r.rowsRefunded),
          rowsRepeated: Number(r.rowsRepeated),
        })
      : null;
  }

  /** The uploaded file, its chunks joined. */
  async file(id: string): Promise<Buffer> {
    const rows = (await this.db.query(
      'SELECT data FROM live_import_chunks WHERE import_id = ? ORDER BY chunk_no',
      [id],
    )) as { data: Buffer }[];
    return Buffer.concat(rows.map((r) => r.data));
  }

  /** Starts (or restarts, after a crash) an import's run: counters and refusals from zero. */
  async begin(id: string, rowsTotal: number): Promise<void> {
    await this.db.transaction(async (em) => {
      await em.query('DELETE FROM live_import_refusals WHERE import_id = ?', [id]);
      await em.query(
        `UPDATE live_imports SET rows_total = ?, rows_done = 0, rows_accepted = 0, rows_refunded = 0,
                rows_repeated = 0, status = ?, updated_at = NOW(3) WHERE id = ?`,
        [rowsTotal, ImportStatus.Running, id],
      );
    });
  }

  /** Adds a batch's outcome to the import's progress. */
  async progress(
    id: string,
    p: { done: number; accepted: number; refunded: number; repeated: number },
    refused: readonly { row: number; reason: string }[],
  ): Promise<void> {
    await this.db.transaction(async (em) => {
      if (refused.length) {
        await em.query(
          `INSERT INTO live_import_refusals (import_id, row_no, reason) VALUES ${refused.map(() => '(?, ?, ?)').join(', ')}
           ON DUPLICATE KEY UPDATE reason = VALUES(reason)`,
          refused.flatMap((r) => [id, r.row, r.reason.slice(0, 255)]),
        );
      }
      await em.query(
        `UPDATE live_imports SET rows_done = rows_done + ?, rows_accepted = rows_accepted + ?,
                rows_refunded = rows_refunded + ?, rows_repeated = rows_repeated + ?, updated_at = NOW(3)
          WHERE id = ?`,
        [p.done, p.accepted, p.refunded, p.repeated, id],
      );
    });
  }

  async finish(id: string): Promise<void> {
    await this.db.query('UPDATE live_imports SET status = ?, updated_at = NOW(3) WHERE id = ?', [
      ImportStatus.Done,
      id,
    ]);
    // The file is not needed once every row is counted.
    await this.db.query('DELETE FROM live_import_chunks WHERE import_id = ?', [id]);
  }

  async refusals(id: string, limit: number): Promise<{ row: number; reason: string }[]> {
    const rows = (await this.db.query(
      'SELECT row_no AS row, reason FROM live_import_refusals WHERE import_id = ? ORDER BY row_no LIMIT ?',
      [id, limit],
    )) as { row: number; reason: string }[];
    return rows.map((r) => ({ row: Number(r.row), reason: r.reason }));
  }

  /** Which of these sub-orders were counted already. */
  async known(
    platform: string,
    shopId: string,
    subOrderIds: readonly string[],
  ): Promise<Map<string, KnownSale>> {
    if (!subOrderIds.length) {
      return new Map();
    }
    const rows = (await this.db.query(
      `SELECT sub_order_id AS subOrderId, sale_order_id AS saleOrderId, refunded FROM live_external_sales
        WHERE platform = ? AND shop_id = ? AND sub_order_id IN (?)`,
      [platform, shopId, subOrderIds],
    )) as { subOrderId: string; saleOrderId: string; refunded: number }[];
    return new Map(
      rows.map((r) => [
        r.subOrderId,
        { subOrderId: r.subOrderId, saleOrderId: r.saleOrderId, refunded: Number(r.refunded) === 1 },
      ]),
    );
  }

  /** The statements that record counted sub-orders and their orders as the session's (run with the orders). */
  recordStatements(
    rows: readonly {
      platform: string;
      shopId: string;
      subOrderId: string;
      platformOrderId: string;
      saleOrderId: string;
      sessionId: string;
      offerId: string;
      buyerUserId: string;
      units: number;
    }[],
  ): Statement[] {
    if (!rows.length) {
      return [];
    }
    return [
      [
        `INSERT INTO live_external_sales (platform, shop_id, sub_order_id, order_id, sale_order_id, session_id, refunded)
         VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, 0)').join(', ')}`,
        rows.flatMap((r) => [
          r.platform,
          r.shopId,
          r.subOrderId,
          r.platformOrderId,
          r.saleOrderId,
          r.sessionId,
        ]),
      ],
      [
        `INSERT INTO live_orders (order_id, session_id, offer_id, buyer_user_id, units, external)
         VALUES ${rows.map(() => '(?, ?, ?, ?, ?, 1)').join(', ')}`,
        rows.flatMap((r) => [r.saleOrderId, r.sessionId, r.offerId, r.buyerUserId, r.units]),
      ],
    ];
  }

  /** Marks a counted sub-order refunded; false when it was already (another import got there first). */
  async markRefunded(platform: string, shopId: string, subOrderId: string): Promise<boolean> {
    const r = (await this.db.query(
      'UPDATE live_external_sales SET refunded = 1 WHERE platform = ? AND shop_id = ? AND sub_order_id = ? AND refunded = 0',
      [platform, shopId, subOrderId],
    )) as { affectedRows: number };
    return r.affectedRows === 1;
  }

  async unmarkRefunded(platform: string, shopId: string, subOrderId: string): Promise<void> {
    await this.db.query(
      'UPDATE live_external_sales SET refunded = 0 WHERE platform = ? AND shop_id = ? AND sub_order_id = ?',
      [platform, shopId, subOrderId],
    );
  }
}
