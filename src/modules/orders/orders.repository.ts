import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { Page, paginate } from '@/common/pagination';
import { Statement } from '@/infrastructure/database/transaction';
import { Attribution, Channel, OrderEntity, OrderStatus } from './entities/order.entity';
import { OrderLineEntity } from './entities/order-line.entity';

/** What the ledger needs of a paid order to allocate it. */
export interface PaidOrder {
  channel: Channel;
  paidDate: string;
  provider: string | null;
  lines: Pick<OrderLineEntity, 'id' | 'lotId' | 'supplierId' | 'householdId' | 'amountFen'>[];
}

export interface OrderWithLines {
  order: OrderEntity;
  lines: OrderLineEntity[];
}

/** Every SQL statement on orders and their lines, with its row mapper. */
@Injectable()
export class OrdersRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(OrderEntity) private readonly orders: Repository<OrderEntity>,
    @InjectRepository(OrderLineEntity) private readonly lines: Repository<OrderLineEntity>,
  ) {}

  /** The statements that insert a new order and its lines (for the order's batched transaction). */
  insertStatements(order: OrderEntity, lines: readonly OrderLineEntity[]): Statement[] {
    return [
      [
        `INSERT INTO orders (id, buyer_user_id, channel, status, total_fen, refunded_fen, pay_by, paid_at, paid_date, attribution, employer_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
        [
          order.id,
          order.buyerUserId,
          order.channel,
          order.status,
          order.totalFen,
          order.payBy,
          order.paidAt,
          order.paidDate,
          order.attribution ? JSON.stringify(order.attribution) : null,
          order.attribution?.employerId ?? null,
          order.createdAt,
          order.updatedAt,
        ],
      ],
      [
        `INSERT INTO order_lines (id, order_id, line_no, product_id, lot_id, supplier_id, household_id, quantity, unit_price_fen, amount_fen, refunded_fen)
         VALUES ${lines.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)').join(',')}`,
        lines.flatMap((l) => [
          l.id,
          l.orderId,
          l.lineNo,
          l.productId,
          l.lotId,
          l.supplierId,
          l.householdId ?? null,
          l.quantity,
          l.unitPriceFen,
          l.amountFen,
        ]),
      ],
    ];
  }

  /** An order and its lines in one round trip; null when there is no such order. */
  async findWithLines(id: string): Promise<OrderWithLines | null> {
    const rows = (await this.db.query(
      `SELECT o.id, o.buyer_user_id, o.channel, o.status, o.total_fen, o.refunded_fen, o.pay_by, o.paid_at, o.paid_date,
              o.attribution, o.created_at, o.updated_at,
              l.id AS l_id, l.line_no, l.product_id, l.lot_id, l.supplier_id, l.household_id, l.quantity, l.unit_price_fen, l.amount_fen,
              l.refunded_fen AS l_refunded_fen
         FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
        WHERE o.id = ? ORDER BY l.line_no`,
      [id],
    )) as Record<string, unknown>[];
    if (rows.length === 0) {
      return null;
    }
    return {
      order: orderFromRow(rows[0]),
      lines: rows
        .filter((r) => r.l_id)
        .map((r) => lineFromRow({ ...r, id: r.l_id, order_id: r.id, refunded_fen: r.l_refunded_fen })),
    };
  }

  /** An order by id, locked for update inside the caller's transaction when `lock`; null when missing. */
  async find(id: string, em?: EntityManager, lock = false): Promise<OrderEntity | null> {
    // Plain SQL: this runs several times per checkout, where the query builder's cost shows.
    const [r] = (await (em ?? this.db).query(`${ORDER_COLUMNS} WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [
      id,
    ])) as Record<string, unknown>[];
    return r ? orderFromRow(r) : null;
  }

  /** A page of orders (with their lines), filtered, oldest first. */
  async list(q: {
    buyerUserId?: string;
    status?: string;
    channel?: string;
    cursor?: string;
    limit?: number;
  }): Promise<Page<OrderWithLines>> {
    const qb = this.orders.createQueryBuilder('o');
    if (q.buyerUserId) {
      qb.andWhere('o.buyer_user_id = :u', { u: q.buyerUserId });
    }
    if (q.status) {
      qb.andWhere('o.status = :s', { s: q.status });
    }
    if (q.channel) {
      qb.andWhere('o.channel = :c', { c: q.channel });
    }
    const page = await paginate(qb, q, (o) => o);
    const lines = page.items.length
      ? await this.lines.find({
          where: { orderId: In(page.items.map((o) => o.id)) },
          order: { lineNo: 'ASC' },
        })
      : [];
    return {
      items: page.items.map((order) => ({ order, lines: lines.filter((l) => l.orderId === order.id) })),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * What the ledger needs to allocate paid orders, in one query: each order, its lines and the provider its
   * money came through. Orders not (or no longer) paid are left out.
   */
  async paidForAllocation(orderIds: string[]): Promise<Map<string, PaidOrder>> {
    const out = new Map<string, PaidOrder>();
    if (orderIds.length === 0) {
      return out;
    }
    const rows = (await this.db.query(
      `SELECT o.id AS orderId, o.channel, o.paid_date AS paidDate, o.status, l.id, l.lot_id AS lotId,
              l.supplier_id AS supplierId, l.household_id AS householdId, l.amount_fen AS amountFen,
              (SELECT p.provider FROM payments p WHERE p.order_id = o.id AND p.status = 'CAPTURED' LIMIT 1) AS provider
         FROM orders o JOIN order_lines l ON l.order_id = o.id
        WHERE o.id IN (${orderIds.map(() => '?').join(',')}) ORDER BY o.id, l.line_no`,
      orderIds,
    )) as {
      orderId: string;
      channel: Channel;
      paidDate: string | null;
      status: OrderStatus;
      id: string;
      lotId: string | null;
      supplierId: string | null;
      householdId: string | null;
      amountFen: string;
      provider: string | null;
    }[];
    for (const r of rows) {
      if (!r.paidDate || r.status === OrderStatus.PendingPayment || r.status === OrderStatus.Cancelled) {
        continue;
      }
      let order = out.get(r.orderId);
      if (!order) {
        order = { channel: r.channel, paidDate: r.paidDate, provider: r.provider, lines: [] };
        out.set(r.orderId, order);
      }
      order.lines.push({
        id: r.id,
        lotId: r.lotId,
        supplierId: r.supplierId,
        householdId: r.householdId,
        amountFen: Number(r.amountFen),
      });
    }
    return out;
  }

  async linesOf(orderId: string, em?: EntityManager): Promise<OrderLineEntity[]> {
    const rows = (await (em ?? this.db).query(
      `SELECT id, order_id, line_no, product_id, lot_id, supplier_id, household_id, quantity, unit_price_fen, amount_fen,
              refunded_fen
         FROM order_lines WHERE order_id = ? ORDER BY line_no`,
      [orderId],
    )) as Record<string, unknown>[];
    return rows.map(lineFromRow);
  }

  /**
   * An invoiced order settled at acceptance: the lines keep what was received (the others are deleted), and
   * the order becomes `status` for the accepted total.
   */
  acceptStatements(
    orderId: string,
    kept: readonly OrderLineEntity[],
    all: readonly OrderLineEntity[],
    status: OrderStatus,
    at: Date,
    date: string,
  ): Statement[] {
    const keptIds = new Set(kept.map((l) => l.id));
    const gone = all.filter((l) => !keptIds.has(l.id)).map((l) => l.id);
    const total = kept.reduce((a, l) => a + l.amountFen, 0);
    const paid = status === OrderStatus.Paid;
    return [
      ...kept.map((l): Statement => [
        'UPDATE order_lines SET quantity = ?, amount_fen = ? WHERE id = ?',
        [l.quantity, l.amountFen, l.id],
      ]),
      ...(gone.length && paid
        ? [[`DELETE FROM order_lines WHERE id IN (${gone.map(() => '?').join(',')})`, gone] as Statement]
        : []),
      paid
        ? [
            `UPDATE orders SET status = ?, total_fen = ?, paid_at = ?, paid_date = ?, updated_at = NOW(3)
              WHERE id = ? AND status = 'PENDING_PAYMENT'`,
            [status, total, at, date, orderId],
          ]
        : [
            "UPDATE orders SET status = ?, updated_at = NOW(3) WHERE id = ? AND status = 'PENDING_PAYMENT'",
            [status, orderId],
          ],
    ];
  }

  /** Paid sales (net of refunds) within [from, to], per channel and buying organization (employer first). */
  async paidTotals(
    from: string,
    to: string,
  ): Promise<{ channel: string; organizationId: string | null; fen: number }[]> {
    const rows = (await this.db.query(
      `SELECT channel, COALESCE(employer_id, JSON_UNQUOTE(JSON_EXTRACT(attribution, '$.organizationId'))) AS org,
              SUM(total_fen - refunded_fen) AS fen
         FROM orders WHERE paid_date BETWEEN ? AND ? AND status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')
        GROUP BY channel, org`,
      [from, to],
    )) as { channel: string; org: string | null; fen: string }[];
    return rows.map((r) => ({ channel: r.channel, organizationId: r.org, fen: Number(r.fen) }));
  }

  /** Paid totals (net of refunds) of every employer's employees within [from, to]. */
  async paidByAllEmployers(from: string, to: string): Promise<Map<string, number>> {
    const rows = (await this.db.query(
      `SELECT employer_id AS id, SUM(total_fen - refunded_fen) AS fen FROM orders
        WHERE employer_id IS NOT NULL AND paid_date BETWEEN ? AND ?
          AND status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')
        GROUP BY employer_id`,
      [from, to],
    )) as { id: string; fen: string }[];
    return new Map(rows.map((r) => [r.id, Number(r.fen)]));
  }

  /** Paid totals (net of refunds) of orders attributed to each employer, paid within [from, to]. */
  async paidByEmployers(
    employerIds: readonly string[],
    from: string,
    to: string,
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>(employerIds.map((id) => [id, 0]));
    if (employerIds.length === 0) {
      return out;
    }
    const rows = (await this.db.query(
      `SELECT employer_id AS id, SUM(total_fen - refunded_fen) AS fen FROM orders
        WHERE employer_id IN (${employerIds.map(() => '?').join(',')}) AND paid_date BETWEEN ? AND ?
          AND status IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')
        GROUP BY employer_id`,
      [...employerIds, from, to],
    )) as { id: string; fen: string }[];
    for (const r of rows) {
      out.set(r.id, Number(r.fen));
    }
    return out;
  }

  /** Sets an order's status inside the caller's transaction. */
  async setStatus(em: EntityManager, id: string, status: OrderStatus): Promise<void> {
    await em.query('UPDATE orders SET status = ?, updated_at = NOW(3) WHERE id = ?', [status, id]);
  }

  /** Records a refund on the order and its lines inside the caller's transaction. */
  async applyRefund(
    em: EntityManager,
    orderId: string,
    order: { refundedFen: number; status: OrderStatus },
    lines: readonly { id: string; refundedFen: number }[],
  ): Promise<void> {
    for (const l of lines) {
      await em.query('UPDATE order_lines SET refunded_fen = ? WHERE id = ?', [l.refundedFen, l.id]);
    }
    await em.query('UPDATE orders SET refunded_fen = ?, status = ?, updated_at = NOW(3) WHERE id = ?', [
      order.refundedFen,
      order.status,
      orderId,
    ]);
  }

  async hasOpenPayment(orderId: string): Promise<boolean> {
    const rows = (await this.db.query('SELECT 1 FROM payments WHERE open_order_id = ? LIMIT 1', [
      orderId,
    ])) as unknown[];
    return rows.length > 0;
  }

  /** A buyer's orders of a channel in `status` with no PENDING payment, oldest first. */
  async unpaidOf(
    buyerUserId: string,
    channel: Channel,
    status: OrderStatus,
  ): Promise<{ orderId: string; totalFen: number; createdAt: Date }[]> {
    const rows = (await this.db.query(
      `SELECT o.id, o.total_fen AS totalFen, o.created_at AS createdAt FROM orders o
        WHERE o.buyer_user_id = ? AND o.channel = ? AND o.status = ?
          AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.open_order_id = o.id)
        ORDER BY o.created_at, o.id`,
      [buyerUserId, channel, status],
    )) as { id: string; totalFen: string; createdAt: Date }[];
    return rows.map((r) => ({ orderId: r.id, totalFen: Number(r.totalFen), createdAt: r.createdAt }));
  }
}

export const ORDER_COLUMNS = `SELECT id, buyer_user_id, channel, status, total_fen, refunded_fen, pay_by, paid_at,
  paid_date, attribution, created_at, updated_at FROM orders`;

export function orderFromRow(r: Record<string, unknown>): OrderEntity {
  return Object.assign(new OrderEntity(), {
    id: r.id as string,
    buyerUserId: r.buyer_user_id as string,
    channel: r.channel as Channel,
    status: r.status as OrderStatus,
    totalFen: Number(r.total_fen),
    refundedFen: Number(r.refunded_fen),
    payBy: r.pay_by as Date,
    paidAt: (r.paid_at as Date | null) ?? null,
    paidDate: (r.paid_date as string | null) ?? null,
    attribution:
      typeof r.attribution === 'string'
        ? (JSON.parse(r.attribution) as Attribution)
        : ((r.attribution as Attribution | null) ?? null),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  });
}

export function lineFromRow(r: Record<string, unknown>): OrderLineEntity {
  return Object.assign(new OrderLineEntity(), {
    id: r.id as string,
    orderId: r.order_id as string,
    lineNo: Number(r.line_no),
    productId: (r.product_id as string | null) ?? null,
    lotId: (r.lot_id as string | null) ?? null,
    supplierId: (r.supplier_id as string | null) ?? null,
    householdId: (r.household_id as string | null) ?? null,
    quantity: Number(r.quantity),
    unitPriceFen: Number(r.unit_price_fen),
    amountFen: Number(r.amount_fen),
    refundedFen: Number(r.refunded_fen),
  });
}
