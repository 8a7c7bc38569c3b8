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
import { withTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { JobName } from '@/infrastructure/queue/jobs';
import { CatalogService } from '@/modules/catalog/catalog.service';
import { OrderListQuery, OrderView, mapOrder } from './dto/orders.dto';
import { Attribution, Channel, OrderEntity, OrderStatus } from './entities/order.entity';
import { OrderLineEntity } from './entities/order-line.entity';

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
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Places an order; 409 `out-of-stock` when a line cannot be filled (nothing is taken then). */
  async create(input: NewOrder): Promise<{ order: OrderEntity; lines: OrderLineEntity[] }> {
    const products = await this.catalog.productsByIds(input.lines.map((l) => l.productId));
    const missing = input.lines.findIndex((l) => !products.has(l.productId));
    if (missing >= 0) {
      throw new ValidationFailedError([
        { field: `lines[${missing}].productId`, message: 'productId must name an existing product' },
      ]);
    }
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
    const lines = await withTransaction(this.db, async (em) => {
      const out: OrderLineEntity[] = [];
      for (const [i, l] of input.lines.entries()) {
        const p = products.get(l.productId)!;
        const taken = await this.catalog.takeStock(em, l.productId, l.quantity, l.lotId);
        if (!taken) {
          throw new ConflictError('out-of-stock', `Not enough of “${p.name}” in stock for line ${i + 1}.`);
        }
        const unit = l.unitPriceFen ?? p.priceFen;
        for (const t of taken) {
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
      await em.insert(OrderEntity, order);
      await em.insert(OrderLineEntity, out);
      await this.outbox.add(em, JobName.OrderDeadline, { orderId: order.id }, order.payBy);
      return out;
    });
    this.outbox.kick();
    return { order, lines };
  }

  async getFor(user: AuthUser, id: string): Promise<OrderView> {
    const order = await this.requireOrder(id);
    if (order.buyerUserId !== user.id && !hasRole(user, Role.Admin)) {
      throw new ForbiddenError('Only the buyer or an administrator may see this order.');
    }
    return mapOrder(order, await this.linesOf(id));
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

  async requireOrder(id: string, em?: EntityManager, lock = false): Promise<OrderEntity> {
    const repo = em ? em.getRepository(OrderEntity) : this.orders;
    const o = await repo.findOne({
      where: { id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!o) {
      throw new NotFoundError(`Order ${id}`, 'order-not-found');
    }
    return o;
  }

  linesOf(orderId: string, em?: EntityManager): Promise<OrderLineEntity[]> {
    return (em ? em.getRepository(OrderLineEntity) : this.lines).find({
      where: { orderId },
      order: { lineNo: 'ASC' },
    });
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
