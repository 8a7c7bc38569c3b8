import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { Page, paginate } from '@/common/pagination';
import { withBatchTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { CatalogService, isStockTaken } from '@/modules/catalog/catalog.service';
import { OrderListQuery, OrderView, mapOrder } from './dto/orders.dto';
import { OrdersJobName } from './jobs/orders.job-definitions';
import { Attribution, Channel, OrderEntity, OrderStatus } from './entities/order.entity';
import { OrderLineEntity } from './entities/order-line.entity';
import { OrderEvents } from './order-events';

/** What the ledger needs of a paid order to allocate it. */
export interface PaidOrder {
  channel: Channel;
  paidDate: string;
  provider: string | null;
  lines: Pick<OrderLineEntity, 'id' | 'lotId' | 'supplierId' | 'amountFen'>[];
}

export interface NewOrder {
  buyerUserId: string;
  channel: Channel;
  lines: { productId: string; quantity: number; lotId?: string; unitPriceFen?: number }[];
  attribution?: Attribution;
  /** Minutes to pay; ORDER_PAY_MINUTES when omitted. */
  payMinutes?: number;
}

/**
 * The one order model every channel uses: lines name product, lot, quantity and the unit price of the time;
 * stock is taken from lots in the same transaction as the order, and an order unpaid at its deadline is
 * cancelled by a delayed job that returns the stock.
 */
@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(OrderEntity) private readonly orders: Repository<OrderEntity>,
    @InjectRepository(OrderLineEntity) private readonly lines: Repository<OrderLineEntity>,
    @Inject(CatalogService) private readonly catalog: CatalogService,
    @Inject(OutboxService) private readonly outbox: OutboxService,
    @Inject(OrderEvents) private readonly events: OrderEvents,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Places an order; 409 `out-of-stock` when a line cannot be filled (nothing is taken then). */
  async create(input: NewOrder): Promise<{ order: OrderEntity; lines: OrderLineEntity[] }> {
    const now = new Date();
    const order = this.orders.create({
      id: newId(),
      buyerUserId: input.buyerUserId,
      channel: input.channel,
      status: OrderStatus.PendingPayment,
      totalFen: 0,
      refundedFen: 0,
      payBy: new Date(now.getTime() + (input.payMinutes ?? this.env.ORDER_PAY_MINUTES) * 60_000),
      paidAt: null,
      paidDate: null,
      attribution: input.attribution ?? null,
      createdAt: now,
      updatedAt: now,
    });
    // Plan from one unlocked read, then write the order and take its stock in one round trip; when another
    // buyer took the planned units meanwhile, the decrement fails before COMMIT and we plan again.
    for (let attempt = 1; ; attempt++) {
      const lines = this.planLines(order, input, await this.catalog.planOrder(input.lines));
      try {
        await withBatchTransaction(this.db, (tx) =>
          tx.commit([
            [
              `INSERT INTO orders (id, buyer_user_id, channel, status, total_fen, refunded_fen, pay_by, attribution, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
              [
                order.id,
                order.buyerUserId,
                order.channel,
                order.status,
                order.totalFen,
                order.payBy,
                order.attribution ? JSON.stringify(order.attribution) : null,
                now,
                now,
              ],
            ],
            [
              `INSERT INTO order_lines (id, order_id, line_no, product_id, lot_id, supplier_id, quantity, unit_price_fen, amount_fen, refunded_fen)
               VALUES ${lines.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, 0)').join(',')}`,
              lines.flatMap((l) => [
                l.id,
                l.orderId,
                l.lineNo,
                l.productId,
                l.lotId,
                l.supplierId,
                l.quantity,
                l.unitPriceFen,
                l.amountFen,
              ]),
            ],
            // The deadline's row carries the order's id, so paying the order can take it back.
            this.outbox.statement(
              OrdersJobName.OrderDeadline,
              { orderId: order.id },
              { id: order.id, runAt: order.payBy },
            ),
            // Last, so the lot rows are locked only for this statement and the commit.
            ...this.catalog.takeStockStatements(lines),
          ]),
        );
      } catch (e) {
        if (isStockTaken(e) && attempt < 5) {
          continue;
        }
        if (isStockTaken(e)) {
          throw new ConflictError('out-of-stock', 'The stock was taken by other buyers meanwhile.');
        }
        throw e;
      }
      this.outbox.kick();
      return { order, lines };
    }
  }

  /** The order's lines from a plan; sets the order's total. Throws when a product is missing or short. */
  private planLines(
    order: OrderEntity,
    input: NewOrder,
    { products, plans }: Awaited<ReturnType<CatalogService['planOrder']>>,
  ): OrderLineEntity[] {
    const missing = input.lines.findIndex((l) => !products.has(l.productId));
    if (missing >= 0) {
      throw new ValidationFailedError([
        { field: `lines[${missing}].productId`, message: 'productId must name an existing product' },
      ]);
    }
    const out: OrderLineEntity[] = [];
    for (const [i, l] of input.lines.entries()) {
      const p = products.get(l.productId)!;
      const plan = plans[i];
      if (!plan) {
        throw new ConflictError('out-of-stock', `Not enough of “${p.name}” in stock for line ${i + 1}.`);
      }
      const unit = l.unitPriceFen ?? p.priceFen;
      for (const t of plan) {
        out.push(
          this.lines.create({
            id: newId(),
            orderId: order.id,
            lineNo: out.length + 1,
            productId: l.productId,
            lotId: t.lotId,
            supplierId: p.supplierId,
            quantity: t.quantity,
            unitPriceFen: unit,
            amountFen: unit * t.quantity,
            refundedFen: 0,
          }),
        );
      }
    }
    order.totalFen = out.reduce((a, l) => a + l.amountFen, 0);
    return out;
  }

  /**
   * An order as its buyer (or an administrator) sees it. With `waitMs`, an order still awaiting payment is
   * answered when it changes (paid, cancelled) or when the time is up, whichever comes first, so a buyer
   * waiting for PAID asks once instead of polling.
   */
  async getFor(user: AuthUser, id: string, waitMs = 0): Promise<OrderView> {
    const waiter = waitMs > 0 ? this.events.waitFor(id, waitMs) : undefined;
    try {
      let { order, lines } = await this.orderWithLines(id);
      if (order.buyerUserId !== user.id && !hasRole(user, Role.Admin)) {
        throw new ForbiddenError('Only the buyer or an administrator may see this order.');
      }
      if (waiter && order.status === OrderStatus.PendingPayment) {
        const change = await waiter.done;
        if (change) {
          // The change says what is new (status, paidAt): no second read.
          order.status = change.status;
          order.paidAt = change.paidAt;
        } else {
          ({ order, lines } = await this.orderWithLines(id));
        }
      }
      return mapOrder(order, lines);
    } finally {
      waiter?.cancel();
    }
  }

  async listFor(user: AuthUser, q: OrderListQuery): Promise<Page<OrderView>> {
    const qb = this.orders.createQueryBuilder('o');
    if (!hasRole(user, Role.Admin)) {
      qb.andWhere('o.buyer_user_id = :u', { u: user.id });
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
      items: page.items.map((o) =>
        mapOrder(
          o,
          lines.filter((l) => l.orderId === o.id),
        ),
      ),
      nextCursor: page.nextCursor,
    };
  }

  /** An order and its lines in one round trip (buyers poll this while they wait for PAID). */
  async orderWithLines(id: string): Promise<{ order: OrderEntity; lines: OrderLineEntity[] }> {
    const rows = (await this.db.query(
      `SELECT o.id, o.buyer_user_id, o.channel, o.status, o.total_fen, o.refunded_fen, o.pay_by, o.paid_at, o.paid_date,
              o.attribution, o.created_at, o.updated_at,
              l.id AS l_id, l.line_no, l.product_id, l.lot_id, l.supplier_id, l.quantity, l.unit_price_fen, l.amount_fen,
              l.refunded_fen AS l_refunded_fen
         FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
        WHERE o.id = ? ORDER BY l.line_no`,
      [id],
    )) as Record<string, unknown>[];
    if (rows.length === 0) {
      throw new NotFoundError(`Order ${id}`, 'order-not-found');
    }
    return {
      order: orderFromRow(rows[0]),
      lines: rows
        .filter((r) => r.l_id)
        .map((r) => lineFromRow({ ...r, id: r.l_id, order_id: r.id, refunded_fen: r.l_refunded_fen })),
    };
  }

  /** An order by id (locked for update inside the caller's transaction when `lock`); 404 when missing. */
  async requireOrder(id: string, em?: EntityManager, lock = false): Promise<OrderEntity> {
    // Plain SQL: this runs several times per checkout, where the query builder's cost shows.
    const [r] = (await (em ?? this.db).query(`${ORDER_COLUMNS} WHERE id = ?${lock ? ' FOR UPDATE' : ''}`, [
      id,
    ])) as Record<string, unknown>[];
    if (!r) {
      throw new NotFoundError(`Order ${id}`, 'order-not-found');
    }
    return orderFromRow(r);
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
              l.supplier_id AS supplierId, l.amount_fen AS amountFen,
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
      lotId: string;
      supplierId: string;
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
        amountFen: Number(r.amountFen),
      });
    }
    return out;
  }

  async linesOf(orderId: string, em?: EntityManager): Promise<OrderLineEntity[]> {
    const rows = (await (em ?? this.db).query(
      `SELECT id, order_id, line_no, product_id, lot_id, supplier_id, quantity, unit_price_fen, amount_fen, refunded_fen
         FROM order_lines WHERE order_id = ? ORDER BY line_no`,
      [orderId],
    )) as Record<string, unknown>[];
    return rows.map(lineFromRow);
  }

  /**
   * Cancels an order still awaiting payment at its deadline and returns its stock; true when it did.
   * Runs inside the caller's transaction (which holds the order row).
   */
  async cancelUnpaid(em: EntityManager, order: OrderEntity): Promise<boolean> {
    if (order.status !== OrderStatus.PendingPayment) {
      return false;
    }
    for (const l of await this.linesOf(order.id, em)) {
      await this.catalog.returnStock(em, l.lotId, l.quantity);
    }
    await em.update(OrderEntity, { id: order.id }, { status: OrderStatus.Cancelled });
    order.status = OrderStatus.Cancelled;
    return true;
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

function lineFromRow(r: Record<string, unknown>): OrderLineEntity {
  return Object.assign(new OrderLineEntity(), {
    id: r.id as string,
    orderId: r.order_id as string,
    lineNo: Number(r.line_no),
    productId: r.product_id as string,
    lotId: r.lot_id as string,
    supplierId: r.supplier_id as string,
    quantity: Number(r.quantity),
    unitPriceFen: Number(r.unit_price_fen),
    amountFen: Number(r.amount_fen),
    refundedFen: Number(r.refunded_fen),
  });
}
