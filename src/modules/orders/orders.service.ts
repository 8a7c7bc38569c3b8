import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { BatchPool } from '@/infrastructure/database/batch-pool';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { Page } from '@/common/pagination';
import { businessDate } from '@/common/time';
import { runStatements, Statement, withBatchTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import type { OrderPlan } from '@/modules/catalog/stock.service';
import {
  BuyerAttributions,
  ChannelPolicies,
  fromLots,
  PaymentMode,
  PlannedUnits,
  StockSource,
} from './channel-policy';
import { LotStock } from './lot-stock';
import { OrderLifecycle } from './order-lifecycle';
import { OrderListQuery, OrderView, mapOrder } from './dto/orders.dto';
import { LedgerInboxJobName, OrdersJobName } from './jobs/orders.job-definitions';
import { PaymentEntity, PaymentStatus } from './entities/payment.entity';
import { PaymentsRepository } from './payments.repository';
import { Attribution, Channel, OrderEntity, OrderStatus } from './entities/order.entity';
import { OrderLineEntity } from './entities/order-line.entity';
import { NotTheBuyerError, OrderNotFoundError, OutOfStockError, ProductNotCertifiedError } from './errors';
import { OrderEvents } from './order-events';
import { OrdersRepository, PaidOrder } from './orders.repository';

export type { PaidOrder } from './orders.repository';

/** Optimistic tries before an order is planned under the lots' row locks. */
const OPTIMISTIC_ATTEMPTS = 2;

export interface NewOrder {
  /**
   * The order's id, when the channel must place it exactly once (a cabinet session places the order named by
   * its own id, so a retry finds it instead of placing a second one: 409 from the primary key).
   */
  id?: string;
  buyerUserId: string;
  channel: Channel;
  lines: { productId: string; quantity: number; lotId?: string; unitPriceFen?: number }[];
  attribution?: Attribution;
  /** What the channel reserved for this order elsewhere, handed to its stock source (`takeStatements`). */
  claim?: unknown;
}

/** A sale made and paid on another platform (a livestream shop's export), recorded as a paid order. */
export interface PaidElsewhere {
  /** The order's id, when the channel records it in its own tables in the same transaction. */
  id?: string;
  buyerUserId: string;
  channel: Channel;
  /**
   * Each line names the lot its units came from and what was charged for it; or, for a household selling at
   * its own stall, the household (and the catalog product, if the stall sold one): its whole amount is that
   * household's income.
   */
  lines: {
    productId?: string;
    lotId?: string;
    householdId?: string;
    quantity: number;
    amountFen: number;
  }[];
  attribution: Attribution;
  paidAt: Date;
  /**
   * Who took the money (`platform:douyin`) and its reference there (the sub-order id); none for cash taken
   * at a stall.
   */
  payment?: { provider: string; ref: string };
}

/**
 * The one order model every channel uses: lines name product, lot, quantity and the unit price of the time;
 * stock is taken from lots in the same transaction as the order, and an order unpaid at its deadline is
 * cancelled by a delayed job that returns the stock.
 */
@Injectable()
export class OrdersService {
  constructor(
    @Inject(BatchPool) private readonly batch: BatchPool,
    @Inject(OrdersRepository) private readonly repo: OrdersRepository,
    @Inject(PaymentsRepository) private readonly payments: PaymentsRepository,
    @Inject(LotStock) private readonly lotStock: LotStock,
    @Inject(ChannelPolicies) private readonly policies: ChannelPolicies,
    @Inject(OrderLifecycle) private readonly lifecycle: OrderLifecycle,
    @Inject(OutboxService) private readonly outbox: OutboxService,
    @Inject(OrderEvents) private readonly events: OrderEvents,
    @Inject(BuyerAttributions) private readonly buyerAttributions: BuyerAttributions,
  ) {}

  /** Where the channel's units come from: its own source, or the supply lots. */
  private stockOf(channel: Channel): StockSource {
    return this.policies.of(channel).stock ?? this.lotStock;
  }

  /**
   * Places an order as its channel's policy says (where units come from, whether it has a payment deadline,
   * the status it starts in); 409 `out-of-stock` when a line cannot be filled and 422 `product-not-certified`
   * for a product without a valid certificate (nothing is taken then).
   */
  async create(input: NewOrder): Promise<{ order: OrderEntity; lines: OrderLineEntity[] }> {
    const policy = this.policies.of(input.channel);
    const stock = this.stockOf(input.channel);
    const now = new Date();
    const extra = await this.buyerAttributions.of(input.buyerUserId, input.channel);
    const attribution = Object.keys(extra).length
      ? { ...(input.attribution ?? {}), ...extra }
      : (input.attribution ?? null);
    const order = Object.assign(new OrderEntity(), {
      id: input.id ?? newId(),
      buyerUserId: input.buyerUserId,
      channel: input.channel,
      status: policy.initialStatus as OrderStatus,
      totalFen: 0,
      refundedFen: 0,
      payBy: this.policies.hasDeadline(input.channel)
        ? new Date(now.getTime() + policy.payMinutes * 60_000)
        : null,
      paidAt: null,
      paidDate: null,
      attribution,
      createdAt: now,
      updatedAt: now,
    });
    // Plan from one unlocked read, then write the order and take its stock in one round trip; when another
    // buyer took the planned units meanwhile, the decrement fails before COMMIT and we plan again. A buyer
    // that lost that race twice plans under the lots' row locks, so its answer is final: refused only when
    // the stock really is gone.
    for (let attempt = 1; ; attempt++) {
      if (attempt > OPTIMISTIC_ATTEMPTS) {
        const lines = await withBatchTransaction(this.batch, async (tx) => {
          const planned = this.planLines(order, input, await stock.plan(input.lines, tx));
          try {
            await tx.commit(this.placeStatements(order, planned, stock, input.claim));
          } catch (e) {
            // A source whose plan under lock missed a take: still an answer, never a 500.
            throw stock.isTaken(e) ? new OutOfStockError() : e;
          }
          return planned;
        });
        this.outbox.kick();
        return { order, lines };
      }
      const lines = this.planLines(order, input, await stock.plan(input.lines));
      try {
        await withBatchTransaction(this.batch, (tx) =>
          tx.commit(this.placeStatements(order, lines, stock, input.claim)),
        );
      } catch (e) {
        if (stock.isTaken(e)) {
          continue;
        }
        throw e;
      }
      this.outbox.kick();
      return { order, lines };
    }
  }

  /**
   * Records sales made and paid elsewhere: each becomes a PAID order with its lines and a payment CAPTURED
   * under the platform's name, and its lines are allocated to households like any other paid order. No
   * stock is taken (the platform's shop shipped the goods); `with` statements (the channel's own record of
   * the rows) run first in the same transaction, so a duplicate there records nothing. 422
   * `product-not-certified` for a product without a valid certificate.
   */
  async recordPaidElsewhere(
    sales: readonly PaidElsewhere[],
    withStatements: Statement[] = [],
  ): Promise<string[]> {
    if (!sales.length) {
      return [];
    }
    const productIds = [
      ...new Set(sales.flatMap((s) => s.lines.flatMap((l) => (l.productId ? [l.productId] : [])))),
    ];
    const { products } = productIds.length
      ? await this.lotStock.plan(productIds.map((productId) => ({ productId, quantity: 0 })))
      : { products: new Map<string, never>() };
    const statements: Statement[] = [...withStatements];
    const ids: string[] = [];
    const now = new Date();
    for (const sale of sales) {
      const order = Object.assign(new OrderEntity(), {
        id: sale.id ?? newId(),
        buyerUserId: sale.buyerUserId,
        channel: sale.channel,
        status: OrderStatus.Paid,
        totalFen: sale.lines.reduce((a, l) => a + l.amountFen, 0),
        refundedFen: 0,
        payBy: null,
        paidAt: sale.paidAt,
        paidDate: businessDate(sale.paidAt),
        attribution: sale.attribution,
        createdAt: now,
        updatedAt: now,
      });
      const lines = sale.lines.map((l, i) => {
        const p = l.productId ? products.get(l.productId) : undefined;
        if (l.productId && !p) {
          throw new ValidationFailedError([
            { field: `lines[${i}].productId`, message: 'productId must name an existing product' },
          ]);
        }
        if (p && !p.certified) {
          throw new ProductNotCertifiedError(`lines[${i}].productId`, p.name);
        }
        if (!l.householdId && !l.lotId) {
          throw new Error('a line paid elsewhere names its lot or the household that sold it');
        }
        return Object.assign(new OrderLineEntity(), {
          id: newId(),
          orderId: order.id,
          lineNo: i + 1,
          productId: l.productId ?? null,
          lotId: l.lotId ?? null,
          supplierId: p?.supplierId ?? null,
          householdId: l.householdId ?? null,
          quantity: l.quantity,
          // What the platform charged per unit, to the fen below; the line's amount is what it charged.
          unitPriceFen: Math.floor(l.amountFen / l.quantity),
          amountFen: l.amountFen,
          refundedFen: 0,
        });
      });
      statements.push(...this.repo.insertStatements(order, lines));
      if (sale.payment) {
        statements.push(
          this.payments.insertCapturedStatement(
            Object.assign(new PaymentEntity(), {
              id: newId(),
              orderId: order.id,
              provider: sale.payment.provider,
              providerRef: sale.payment.ref,
              status: PaymentStatus.Captured,
              amountFen: order.totalFen,
              failureReason: null,
              capturedAt: sale.paidAt,
              capturedDate: order.paidDate,
              createdAt: now,
              updatedAt: now,
            }),
          ),
        );
      }
      ids.push(order.id);
    }
    statements.push(this.outbox.statement(LedgerInboxJobName.AllocateOrder, { orderIds: ids }));
    await withBatchTransaction(this.batch, (tx) => tx.commit(statements));
    this.outbox.kick();
    return ids;
  }

  /** The statements that write a new order, its lines and its deadline (if it has one), and take its stock. */
  private placeStatements(
    order: OrderEntity,
    lines: OrderLineEntity[],
    stock: StockSource,
    claim: unknown,
  ): Statement[] {
    return [
      ...this.repo.insertStatements(order, lines),
      // The deadline's row carries the order's id, so paying the order can take it back.
      ...(order.payBy
        ? [
            this.outbox.statement(
              OrdersJobName.OrderDeadline,
              { orderId: order.id },
              { id: order.id, runAt: order.payBy },
            ),
          ]
        : []),
      // Last, so the stock rows are locked only for this statement and the commit.
      ...stock.takeStatements(fromLots(lines), order, claim),
    ];
  }

  /** The order's lines from a plan; sets the order's total. Throws when a product is missing or short. */
  private planLines(order: OrderEntity, input: NewOrder, { products, plans }: OrderPlan): OrderLineEntity[] {
    const missing = input.lines.findIndex((l) => !products.has(l.productId));
    if (missing >= 0) {
      throw new ValidationFailedError([
        { field: `lines[${missing}].productId`, message: 'productId must name an existing product' },
      ]);
    }
    // One rule for every channel: an uncertified product is not on sale.
    const uncertified = input.lines.findIndex((l) => !products.get(l.productId)!.certified);
    if (uncertified >= 0) {
      throw new ProductNotCertifiedError(
        `lines[${uncertified}].productId`,
        products.get(input.lines[uncertified].productId)!.name,
      );
    }
    const out: OrderLineEntity[] = [];
    for (const [i, l] of input.lines.entries()) {
      const p = products.get(l.productId)!;
      const plan = plans[i];
      if (!plan) {
        throw new OutOfStockError(`Not enough of “${p.name}” in stock for line ${i + 1}.`);
      }
      const unit = l.unitPriceFen ?? p.priceFen;
      for (const t of plan) {
        out.push(
          Object.assign(new OrderLineEntity(), {
            id: newId(),
            orderId: order.id,
            lineNo: out.length + 1,
            productId: l.productId,
            lotId: t.lotId,
            supplierId: p.supplierId,
            householdId: null,
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
        throw new NotTheBuyerError('Only the buyer or an administrator may see this order.');
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
    const page = await this.repo.list({
      buyerUserId: hasRole(user, Role.Admin) ? undefined : user.id,
      status: q.status,
      channel: q.channel,
      cursor: q.cursor,
      limit: q.limit,
    });
    return {
      items: page.items.map(({ order, lines }) => mapOrder(order, lines)),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * A buyer's orders of a channel awaiting payment with no payment under way (a declined pay-after-use
   * charge, say): the balance they owe. Oldest first.
   */
  unpaidOf(
    buyerUserId: string,
    channel: Channel,
  ): Promise<{ orderId: string; totalFen: number; createdAt: Date }[]> {
    return this.repo.unpaidOf(buyerUserId, channel, OrderStatus.PendingPayment);
  }

  /** Whether a payment of the order is under way (PENDING at its provider). */
  async paymentUnderWay(orderId: string): Promise<boolean> {
    return this.repo.hasOpenPayment(orderId);
  }

  /** Whether an order with this id exists (a channel that names its orders' ids asks before placing one). */
  async exists(id: string): Promise<boolean> {
    return (await this.repo.find(id)) !== null;
  }

  /** An order and its lines in one round trip (buyers poll this while they wait for PAID); 404 when missing. */
  async orderWithLines(id: string): Promise<{ order: OrderEntity; lines: OrderLineEntity[] }> {
    const found = await this.repo.findWithLines(id);
    if (!found) {
      throw new OrderNotFoundError(id);
    }
    return found;
  }

  /** An order by id (locked for update inside the caller's transaction when `lock`); 404 when missing. */
  async requireOrder(id: string, em?: EntityManager, lock = false): Promise<OrderEntity> {
    const order = await this.repo.find(id, em, lock);
    if (!order) {
      throw new OrderNotFoundError(id);
    }
    return order;
  }

  /**
   * What the ledger needs to allocate paid orders, in one query: each order, its lines and the provider its
   * money came through. Orders not (or no longer) paid are left out.
   */
  paidForAllocation(orderIds: string[]): Promise<Map<string, PaidOrder>> {
    return this.repo.paidForAllocation(orderIds);
  }

  linesOf(orderId: string, em?: EntityManager): Promise<OrderLineEntity[]> {
    return this.repo.linesOf(orderId, em);
  }

  /**
   * Settles an invoiced order (unit procurement) when its buyer accepts the goods, inside the caller's
   * transaction: each line keeps only the units received (`received`: line id → units; a line not named
   * received nothing), the rest goes back to stock, and the order becomes PAID for what arrived, so the
   * ledger allocates exactly the accepted amount and, by the channel's policy, its household credits are
   * available from today. An order that received nothing is CANCELLED. Returns the accepted amount.
   */
  async settleAccepted(
    em: EntityManager,
    orderId: string,
    received: ReadonlyMap<string, number>,
    at = new Date(),
  ): Promise<{ acceptedFen: number; lines: OrderLineEntity[] }> {
    const order = await this.requireOrder(orderId, em, true);
    if (this.policies.of(order.channel).payment !== PaymentMode.Invoice) {
      throw new Error(`orders of channel ${order.channel} are not invoiced on acceptance`);
    }
    const lines = await this.linesOf(orderId, em);
    const shortfall: PlannedUnits[] = [];
    const kept: OrderLineEntity[] = [];
    for (const l of lines) {
      const got = Math.min(received.get(l.id) ?? 0, l.quantity);
      if (got < l.quantity && l.lotId) {
        shortfall.push({ lotId: l.lotId, quantity: l.quantity - got });
      }
      if (got > 0) {
        kept.push(Object.assign(l, { quantity: got, amountFen: got * l.unitPriceFen }));
      }
    }
    const acceptedFen = kept.reduce((a, l) => a + l.amountFen, 0);
    const to = acceptedFen > 0 ? OrderStatus.Paid : OrderStatus.Cancelled;
    const change = { orderId, channel: order.channel, from: order.status, to };
    await this.lifecycle.assertTransition(change);
    if (shortfall.length) {
      await this.stockOf(order.channel).giveBack(em, shortfall, order);
    }
    await runStatements(em, [
      ...this.repo.acceptStatements(order.id, kept, lines, to, at, businessDate(at)),
      ...(to === OrderStatus.Paid
        ? [this.outbox.statement(LedgerInboxJobName.AllocateOrder, { orderId: order.id })]
        : []),
    ]);
    return { acceptedFen, lines: kept };
  }

  /** Tells the channel's hooks and the order's watchers that `settleAccepted` committed. */
  async acceptedCommitted(orderId: string, channel: Channel, acceptedFen: number, at: Date): Promise<void> {
    const to = acceptedFen > 0 ? OrderStatus.Paid : OrderStatus.Cancelled;
    this.outbox.kick();
    this.events.changed({ orderId, status: to, paidAt: acceptedFen > 0 ? at : null });
    await this.lifecycle.changed({ orderId, channel, from: OrderStatus.PendingPayment, to });
  }

  /** What every employer's linked employees paid within [from, to], net of refunds. */
  paidByAllEmployers(from: string, to: string): Promise<Map<string, number>> {
    return this.repo.paidByAllEmployers(from, to);
  }

  /** Paid sales (net of refunds) within [from, to], per channel and buying organization. */
  paidTotals(
    from: string,
    to: string,
  ): Promise<{ channel: string; organizationId: string | null; fen: number }[]> {
    return this.repo.paidTotals(from, to);
  }

  /**
   * What each employer's linked employees paid on every channel within [from, to] (business dates), net of
   * refunds: orders carry the employer in their attribution from the moment the link was confirmed.
   */
  paidByEmployers(employerIds: readonly string[], from: string, to: string): Promise<Map<string, number>> {
    return this.repo.paidByEmployers(employerIds, from, to);
  }

  /**
   * Cancels an order still awaiting payment at its deadline and returns its stock; true when it did.
   * Runs inside the caller's transaction (which holds the order row).
   */
  async cancelUnpaid(em: EntityManager, order: OrderEntity): Promise<boolean> {
    if (order.status !== OrderStatus.PendingPayment) {
      return false;
    }
    const change = {
      orderId: order.id,
      channel: order.channel,
      from: order.status,
      to: OrderStatus.Cancelled,
    };
    await this.lifecycle.assertTransition(change);
    await this.stockOf(order.channel).giveBack(em, fromLots(await this.linesOf(order.id, em)), order);
    await this.repo.setStatus(em, order.id, OrderStatus.Cancelled);
    order.status = OrderStatus.Cancelled;
    return true;
  }
}
