import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { newId } from '@/common/ids';
import { Statement } from '@/infrastructure/database/transaction';
import {
  EmploymentStatus,
  FairEntity,
  FairSaleEntity,
  OrganizationEmployeeEntity,
  ProcurementEventEntity,
  ProcurementLineEntity,
  ProcurementOrderEntity,
  ProcurementQuotaEntity,
  ProcurementStatus,
} from './entities/procurement.entity';

/** Orders submitted or approved and not accepted yet: what the unit has committed to buy. */
export const IN_FLIGHT = [
  ProcurementStatus.Submitted,
  ProcurementStatus.Approved,
  ProcurementStatus.Confirmed,
  ProcurementStatus.Shipped,
];
/** Orders whose goods were accepted (paid or not yet). */
export const ACCEPTED = [ProcurementStatus.Accepted, ProcurementStatus.Paid];

const inList = (xs: readonly unknown[]) => xs.map(() => '?').join(',');

/** An organization's quota of a year and what it bought, each part apart (fen). */
export interface OwnProgress {
  quota: { amountFen: number; canteenBaseFen: number | null; shareBps: number | null } | null;
  committedFen: number;
  acceptedFen: number;
  fairFen: number;
}

/** Every SQL statement of unit procurement, quotas, employees and fairs. */
@Injectable()
export class ProcurementRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  // ---- quotas -------------------------------------------------------------------------------------------

  async upsertQuota(q: Omit<ProcurementQuotaEntity, 'updatedAt'>): Promise<void> {
    await this.db.query(
      `INSERT INTO procurement_quotas (organization_id, year, amount_fen, canteen_base_fen, share_bps)
       VALUES (?, ?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE amount_fen = VALUES(amount_fen), canteen_base_fen = VALUES(canteen_base_fen),
                               share_bps = VALUES(share_bps)`,
      [q.organizationId, q.year, q.amountFen, q.canteenBaseFen, q.shareBps],
    );
  }

  /**
   * Each organization's quota of `year` and its own purchases in [from, to], in one round trip: committed (in
   * flight, by submission date), accepted (by acceptance date), bought at fairs (by the fair's date). The
   * orders' parts are read from the covering index ix_procurement_orders_org alone.
   */
  async ownProgress(
    organizationIds: readonly string[],
    year: number,
    from: string,
    to: string,
  ): Promise<Map<string, OwnProgress>> {
    const out = new Map<string, OwnProgress>(
      organizationIds.map((id) => [id, { quota: null, committedFen: 0, acceptedFen: 0, fairFen: 0 }]),
    );
    if (!organizationIds.length) {
      return out;
    }
    const ids = inList(organizationIds);
    const rows = (await this.db.query(
      `SELECT organization_id AS id, 'q' AS k, amount_fen AS fen, canteen_base_fen AS base, share_bps AS bps
         FROM procurement_quotas WHERE year = ? AND organization_id IN (${ids})
       UNION ALL
       SELECT organization_id, 'c', SUM(ordered_fen), NULL, NULL FROM procurement_orders
        WHERE organization_id IN (${ids}) AND submitted_date BETWEEN ? AND ? AND status IN (${inList(IN_FLIGHT)})
        GROUP BY organization_id
       UNION ALL
       SELECT organization_id, 'a', SUM(accepted_fen), NULL, NULL FROM procurement_orders
        WHERE organization_id IN (${ids}) AND accepted_date BETWEEN ? AND ? AND status IN (${inList(ACCEPTED)})
        GROUP BY organization_id
       UNION ALL
       SELECT buyer_organization_id, 'f', SUM(amount_fen), NULL, NULL FROM fair_sales
        WHERE buyer_organization_id IN (${ids}) AND sale_date BETWEEN ? AND ?
        GROUP BY buyer_organization_id`,
      [
        year,
        ...organizationIds,
        ...organizationIds,
        from,
        to,
        ...IN_FLIGHT,
        ...organizationIds,
        from,
        to,
        ...ACCEPTED,
        ...organizationIds,
        from,
        to,
      ],
    )) as { id: string; k: 'q' | 'c' | 'a' | 'f'; fen: string; base: string | null; bps: string | null }[];
    for (const r of rows) {
      const p = out.get(r.id)!;
      const fen = Number(r.fen);
      if (r.k === 'q') {
        p.quota = {
          amountFen: fen,
          canteenBaseFen: r.base === null ? null : Number(r.base),
          shareBps: r.bps === null ? null : Number(r.bps),
        };
      } else if (r.k === 'c') {
        p.committedFen = fen;
      } else if (r.k === 'a') {
        p.acceptedFen = fen;
      } else {
        p.fairFen = fen;
      }
    }
    return out;
  }

  // ---- employees ----------------------------------------------------------------------------------------

  /** A citizen asks to be linked to an organization (a new request replaces an earlier one). */
  async requestEmployment(userId: string, organizationId: string, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO organization_employees (user_id, organization_id, status, requested_at, confirmed_at, confirmed_by)
       VALUES (?, ?, 'PENDING', ?, NULL, NULL)
       ON DUPLICATE KEY UPDATE
         status = IF(organization_id = VALUES(organization_id), status, 'PENDING'),
         confirmed_at = IF(organization_id = VALUES(organization_id), confirmed_at, NULL),
         confirmed_by = IF(organization_id = VALUES(organization_id), confirmed_by, NULL),
         requested_at = IF(organization_id = VALUES(organization_id), requested_at, VALUES(requested_at)),
         organization_id = VALUES(organization_id)`,
      [userId, organizationId, at],
    );
  }

  async employment(userId: string): Promise<OrganizationEmployeeEntity | null> {
    const [r] = (await this.db.query(
      `SELECT user_id, organization_id, status, requested_at, confirmed_at, confirmed_by
         FROM organization_employees WHERE user_id = ?`,
      [userId],
    )) as Record<string, unknown>[];
    return r ? employeeFromRow(r) : null;
  }

  /** Confirms a pending link to this organization; false when there is none. */
  async confirmEmployment(organizationId: string, userId: string, by: string, at: Date): Promise<boolean> {
    const res = (await this.db.query(
      `UPDATE organization_employees SET status = 'CONFIRMED', confirmed_at = ?, confirmed_by = ?
        WHERE user_id = ? AND organization_id = ?`,
      [at, by, userId, organizationId],
    )) as { affectedRows: number };
    return res.affectedRows === 1;
  }

  async employees(
    organizationId: string,
    status: EmploymentStatus | undefined,
    after: string | undefined,
    limit: number,
  ): Promise<OrganizationEmployeeEntity[]> {
    const rows = (await this.db.query(
      `SELECT user_id, organization_id, status, requested_at, confirmed_at, confirmed_by
         FROM organization_employees
        WHERE organization_id = ?${status ? ' AND status = ?' : ''}${after ? ' AND user_id > ?' : ''}
        ORDER BY user_id LIMIT ?`,
      [organizationId, ...(status ? [status] : []), ...(after ? [after] : []), limit],
    )) as Record<string, unknown>[];
    return rows.map(employeeFromRow);
  }

  // ---- procurement orders -------------------------------------------------------------------------------

  insertOrderStatements(o: ProcurementOrderEntity, lines: readonly ProcurementLineEntity[]): Statement[] {
    return [
      [
        `INSERT INTO procurement_orders (id, organization_id, status, delivery_address, ordered_fen, accepted_fen, created_by)
         VALUES (?, ?, ?, ?, ?, 0, ?)`,
        [o.id, o.organizationId, o.status, o.deliveryAddress, o.orderedFen, o.createdBy],
      ],
      [
        `INSERT INTO procurement_lines (id, order_id, line_no, product_id, product_name, category, supplier_id, quantity, unit_price_fen, amount_fen)
         VALUES ${lines.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(',')}`,
        lines.flatMap((l) => [
          l.id,
          l.orderId,
          l.lineNo,
          l.productId,
          l.productName,
          l.category,
          l.supplierId,
          l.quantity,
          l.unitPriceFen,
          l.amountFen,
        ]),
      ],
    ];
  }

  /** An audit row; `userId` null for the service itself (the daily reminder). */
  eventStatement(
    orderId: string,
    userId: string | null,
    action: string,
    detail: string | null,
    at: Date,
  ): Statement {
    return [
      'INSERT INTO procurement_events (id, order_id, at, user_id, action, detail) VALUES (?, ?, ?, ?, ?, ?)',
      [newId(), orderId, at, userId, action, detail],
    ];
  }

  async findOrder(id: string, em?: EntityManager, lock = false): Promise<ProcurementOrderEntity | null> {
    const [r] = (await (em ?? this.db).query(
      `SELECT * FROM procurement_orders WHERE id = ?${lock ? ' FOR UPDATE' : ''}`,
      [id],
    )) as Record<string, unknown>[];
    return r ? orderFromRow(r) : null;
  }

  async linesOf(orderIds: readonly string[], em?: EntityManager): Promise<ProcurementLineEntity[]> {
    if (!orderIds.length) {
      return [];
    }
    const rows = (await (em ?? this.db).query(
      `SELECT * FROM procurement_lines WHERE order_id IN (${inList(orderIds)}) ORDER BY order_id, line_no`,
      [...orderIds],
    )) as Record<string, unknown>[];
    return rows.map(lineFromRow);
  }

  async events(orderId: string): Promise<ProcurementEventEntity[]> {
    const rows = (await this.db.query(
      'SELECT id, order_id, at, user_id, action, detail FROM procurement_events WHERE order_id = ? ORDER BY at, id',
      [orderId],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      orderId: r.order_id as string,
      at: r.at as Date,
      userId: (r.user_id as string | null) ?? null,
      action: r.action as string,
      detail: (r.detail as string | null) ?? null,
    }));
  }

  /** A page of orders, newest first, of an organization or with lines of a supplier. */
  async listOrders(q: {
    organizationId?: string;
    supplierId?: string;
    status?: ProcurementStatus;
    before?: string;
    limit: number;
  }): Promise<ProcurementOrderEntity[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.organizationId) {
      where.push('o.organization_id = ?');
      params.push(q.organizationId);
    }
    if (q.supplierId) {
      where.push('o.id IN (SELECT l.order_id FROM procurement_lines l WHERE l.supplier_id = ?)');
      params.push(q.supplierId);
    }
    if (q.status) {
      where.push('o.status = ?');
      params.push(q.status);
    }
    if (q.before) {
      where.push('o.id < ?');
      params.push(q.before);
    }
    const rows = (await this.db.query(
      `SELECT o.* FROM procurement_orders o ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY o.id DESC LIMIT ?`,
      [...params, q.limit],
    )) as Record<string, unknown>[];
    return rows.map(orderFromRow);
  }

  /** Sets fields of an order, only if it is still in `from` (so a concurrent step changes nothing twice). */
  updateOrderStatement(
    id: string,
    from: readonly ProcurementStatus[],
    set: Record<string, unknown>,
  ): Statement {
    const cols = Object.keys(set);
    return [
      `UPDATE procurement_orders SET ${cols.map((c) => `${c} = ?`).join(', ')}, updated_at = NOW(3)
        WHERE id = ? AND status IN (${inList(from)})`,
      [...cols.map((c) => set[c]), id, ...from],
    ];
  }

  lineStatement(lineIds: readonly string[], set: Record<string, unknown>): Statement {
    const cols = Object.keys(set);
    return [
      `UPDATE procurement_lines SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id IN (${inList(lineIds)})`,
      [...cols.map((c) => set[c]), ...lineIds],
    ];
  }

  /** Accepted orders not paid by their due date (before `today`), oldest due first. */
  async overdue(today: string, organizationId?: string, limit = 500): Promise<ProcurementOrderEntity[]> {
    const rows = (await this.db.query(
      `SELECT * FROM procurement_orders WHERE status = 'ACCEPTED' AND due_date < ?
        ${organizationId ? 'AND organization_id = ?' : ''} ORDER BY due_date, id LIMIT ?`,
      [today, ...(organizationId ? [organizationId] : []), limit],
    )) as Record<string, unknown>[];
    return rows.map(orderFromRow);
  }

  // ---- fairs --------------------------------------------------------------------------------------------

  async insertFair(f: FairEntity): Promise<void> {
    await this.db.query(
      'INSERT INTO fairs (id, name, village_code, date, organization_id, created_by) VALUES (?, ?, ?, ?, ?, ?)',
      [f.id, f.name, f.villageCode, f.date, f.organizationId, f.createdBy],
    );
  }

  async findFair(id: string): Promise<FairEntity | null> {
    const [r] = (await this.db.query('SELECT * FROM fairs WHERE id = ?', [id])) as Record<string, unknown>[];
    return r ? fairFromRow(r) : null;
  }

  /** Fairs, newest first; with `scopePath`, only those in villages under that region. */
  async listFairs(q: {
    from?: string;
    to?: string;
    before?: string;
    limit: number;
    scopePath?: string;
  }): Promise<FairEntity[]> {
    const rows = (await this.db.query(
      `SELECT f.* FROM fairs f ${q.scopePath ? 'JOIN regions r ON r.code = f.village_code AND r.path LIKE ?' : ''}
        WHERE 1 = 1 ${q.from ? 'AND f.date >= ?' : ''} ${q.to ? 'AND f.date <= ?' : ''}
        ${q.before ? 'AND f.id < ?' : ''} ORDER BY f.id DESC LIMIT ?`,
      [
        ...(q.scopePath ? [`${q.scopePath}%`] : []),
        ...(q.from ? [q.from] : []),
        ...(q.to ? [q.to] : []),
        ...(q.before ? [q.before] : []),
        q.limit,
      ],
    )) as Record<string, unknown>[];
    return rows.map(fairFromRow);
  }

  insertFairSaleStatement(s: FairSaleEntity): Statement {
    return [
      `INSERT INTO fair_sales (id, fair_id, household_id, product_id, description, quantity, amount_fen, buyer_organization_id, sale_date, order_id, recorded_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        s.id,
        s.fairId,
        s.householdId,
        s.productId,
        s.description,
        s.quantity,
        s.amountFen,
        s.buyerOrganizationId,
        s.saleDate,
        s.orderId,
        s.recordedBy,
      ],
    ];
  }

  async fairSales(fairId: string): Promise<FairSaleEntity[]> {
    const rows = (await this.db.query('SELECT * FROM fair_sales WHERE fair_id = ? ORDER BY id', [
      fairId,
    ])) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      fairId: r.fair_id as string,
      householdId: r.household_id as string,
      productId: (r.product_id as string | null) ?? null,
      description: r.description as string,
      quantity: Number(r.quantity),
      amountFen: Number(r.amount_fen),
      buyerOrganizationId: (r.buyer_organization_id as string | null) ?? null,
      saleDate: r.sale_date as string,
      orderId: r.order_id as string,
      recordedBy: r.recorded_by as string,
      createdAt: r.created_at as Date,
    }));
  }

  async fairTotals(fairIds: readonly string[]): Promise<Map<string, { sales: number; amountFen: number }>> {
    const out = new Map<string, { sales: number; amountFen: number }>();
    if (!fairIds.length) {
      return out;
    }
    const rows = (await this.db.query(
      `SELECT fair_id AS id, COUNT(*) AS n, SUM(amount_fen) AS fen FROM fair_sales
        WHERE fair_id IN (${inList(fairIds)}) GROUP BY fair_id`,
      [...fairIds],
    )) as { id: string; n: string; fen: string }[];
    for (const r of rows) {
      out.set(r.id, { sales: Number(r.n), amountFen: Number(r.fen) });
    }
    return out;
  }

  // ---- reports ------------------------------------------------------------------------------------------

  /**
   * The year's accepted procurement grouped by organization, supplier or category: orders counted and what
   * was accepted (lines' received quantities at their prices). By type, the caller folds the organizations.
   */
  async acceptedBy(
    groupBy: 'organization' | 'supplier' | 'category',
    from: string,
    to: string,
  ): Promise<{ key: string; orders: number; acceptedFen: number }[]> {
    const acc = `o.status IN (${inList(ACCEPTED)}) AND o.accepted_date BETWEEN ? AND ?`;
    const params = [...ACCEPTED, from, to];
    let sql: string;
    if (groupBy === 'organization') {
      // From the covering index alone (ix_procurement_orders_org), in its order.
      sql = `SELECT o.organization_id AS k, COUNT(*) AS n, SUM(o.accepted_fen) AS fen
               FROM procurement_orders o WHERE ${acc} GROUP BY o.organization_id`;
    } else {
      const key = groupBy === 'supplier' ? 'l.supplier_id' : 'l.category';
      sql = `SELECT ${key} AS k, COUNT(DISTINCT o.id) AS n, SUM(l.received_quantity * l.unit_price_fen) AS fen
               FROM procurement_orders o JOIN procurement_lines l ON l.order_id = o.id
              WHERE ${acc} AND l.received_quantity > 0 GROUP BY ${key}`;
    }
    const rows = (await this.db.query(sql, params)) as { k: string; n: string; fen: string }[];
    return rows.map((r) => ({ key: r.k, orders: Number(r.n), acceptedFen: Number(r.fen) }));
  }

  /** The year's fair purchases per buying organization (null: bought by no organization). */
  async fairBy(
    groupBy: 'organizationType' | 'organization',
    from: string,
    to: string,
  ): Promise<{ key: string | null; amountFen: number }[]> {
    const key = groupBy === 'organization' ? 's.buyer_organization_id' : 'g.type';
    const rows = (await this.db.query(
      `SELECT ${key} AS k, SUM(s.amount_fen) AS fen FROM fair_sales s
         LEFT JOIN organizations g ON g.id = s.buyer_organization_id
        WHERE s.sale_date BETWEEN ? AND ? GROUP BY ${key}`,
      [from, to],
    )) as { k: string | null; fen: string }[];
    return rows.map((r) => ({ key: r.k, amountFen: Number(r.fen) }));
  }

  /** The year's fairs: how many market days, stall sales and fen. */
  async fairSummary(from: string, to: string): Promise<{ fairs: number; sales: number; amountFen: number }> {
    const [r] = (await this.db.query(
      `SELECT (SELECT COUNT(*) FROM fairs WHERE date BETWEEN ? AND ?) AS fairs,
              COUNT(*) AS sales, COALESCE(SUM(amount_fen), 0) AS fen
         FROM fair_sales WHERE sale_date BETWEEN ? AND ?`,
      [from, to, from, to],
    )) as { fairs: string; sales: string; fen: string }[];
    return { fairs: Number(r.fairs), sales: Number(r.sales), amountFen: Number(r.fen) };
  }

  /** Accepted procurement per organization and month (1–12) of the year. */
  async acceptedByMonth(
    from: string,
    to: string,
  ): Promise<{ organizationId: string; month: number; fen: number }[]> {
    const rows = (await this.db.query(
      `SELECT organization_id AS id, MONTH(accepted_date) AS m, SUM(accepted_fen) AS fen FROM procurement_orders
        WHERE status IN (${inList(ACCEPTED)}) AND accepted_date BETWEEN ? AND ?
        GROUP BY organization_id, MONTH(accepted_date)`,
      [...ACCEPTED, from, to],
    )) as { id: string; m: string; fen: string }[];
    return rows.map((r) => ({ organizationId: r.id, month: Number(r.m), fen: Number(r.fen) }));
  }

  /** Fair purchases per buying organization and month of the year. */
  async fairByMonth(
    from: string,
    to: string,
  ): Promise<{ organizationId: string; month: number; fen: number }[]> {
    const rows = (await this.db.query(
      `SELECT buyer_organization_id AS id, MONTH(sale_date) AS m, SUM(amount_fen) AS fen FROM fair_sales
        WHERE buyer_organization_id IS NOT NULL AND sale_date BETWEEN ? AND ?
        GROUP BY buyer_organization_id, MONTH(sale_date)`,
      [from, to],
    )) as { id: string; m: string; fen: string }[];
    return rows.map((r) => ({ organizationId: r.id, month: Number(r.m), fen: Number(r.fen) }));
  }

  /** Every organization's type, by id (a few thousand short rows). */
  async organizationTypes(): Promise<Map<string, string>> {
    const rows = (await this.db.query('SELECT id, type FROM organizations')) as {
      id: string;
      type: string;
    }[];
    return new Map(rows.map((r) => [r.id, r.type]));
  }

  /** Every quota of the year. */
  async quotasOfYear(year: number): Promise<ProcurementQuotaEntity[]> {
    const rows = (await this.db.query(
      'SELECT organization_id, year, amount_fen, canteen_base_fen, share_bps, updated_at FROM procurement_quotas WHERE year = ?',
      [year],
    )) as Record<string, unknown>[];
    return rows.map((r) => ({
      organizationId: r.organization_id as string,
      year: Number(r.year),
      amountFen: Number(r.amount_fen),
      canteenBaseFen: r.canteen_base_fen === null ? null : Number(r.canteen_base_fen),
      shareBps: r.share_bps === null ? null : Number(r.share_bps),
      updatedAt: r.updated_at as Date,
    }));
  }
}

function fairFromRow(r: Record<string, unknown>): FairEntity {
  return {
    id: r.id as string,
    name: r.name as string,
    villageCode: r.village_code as string,
    date: r.date as string,
    organizationId: (r.organization_id as string | null) ?? null,
    createdBy: r.created_by as string,
    createdAt: r.created_at as Date,
  };
}

function employeeFromRow(r: Record<string, unknown>): OrganizationEmployeeEntity {
  return {
    userId: r.user_id as string,
    organizationId: r.organization_id as string,
    status: r.status as EmploymentStatus,
    requestedAt: r.requested_at as Date,
    confirmedAt: (r.confirmed_at as Date | null) ?? null,
    confirmedBy: (r.confirmed_by as string | null) ?? null,
  };
}

export function orderFromRow(r: Record<string, unknown>): ProcurementOrderEntity {
  return Object.assign(new ProcurementOrderEntity(), {
    id: r.id as string,
    organizationId: r.organization_id as string,
    status: r.status as ProcurementStatus,
    deliveryAddress: r.delivery_address as string,
    orderedFen: Number(r.ordered_fen),
    acceptedFen: Number(r.accepted_fen),
    createdBy: r.created_by as string,
    submittedBy: (r.submitted_by as string | null) ?? null,
    submittedDate: (r.submitted_date as string | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null,
    rejectReason: (r.reject_reason as string | null) ?? null,
    acceptedDate: (r.accepted_date as string | null) ?? null,
    invoiceNo: (r.invoice_no as string | null) ?? null,
    invoiceFen: r.invoice_fen === null || r.invoice_fen === undefined ? null : Number(r.invoice_fen),
    dueDate: (r.due_date as string | null) ?? null,
    paidAt: (r.paid_at as Date | null) ?? null,
    paymentRef: (r.payment_ref as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  });
}

function lineFromRow(r: Record<string, unknown>): ProcurementLineEntity {
  return Object.assign(new ProcurementLineEntity(), {
    id: r.id as string,
    orderId: r.order_id as string,
    lineNo: Number(r.line_no),
    productId: r.product_id as string,
    productName: r.product_name as string,
    category: r.category as string,
    supplierId: r.supplier_id as string,
    quantity: Number(r.quantity),
    unitPriceFen: Number(r.unit_price_fen),
    amountFen: Number(r.amount_fen),
    receivedQuantity: r.received_quantity === null ? null : Number(r.received_quantity),
    confirmedAt: (r.confirmed_at as Date | null) ?? null,
    shippedAt: (r.shipped_at as Date | null) ?? null,
  });
}
