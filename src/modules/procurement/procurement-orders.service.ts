import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { ForbiddenError, ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { formatYuan } from '@/common/money';
import { Page } from '@/common/pagination';
import { addDays, businessDate } from '@/common/time';
import {
  isDuplicateKey,
  runStatements,
  Statement,
  withTransaction,
} from '@/infrastructure/database/transaction';
import { SMS_PROVIDER, SmsProvider } from '@/infrastructure/sms/sms-provider';
import { ProductsService } from '@/modules/catalog/products.service';
import { UsersService } from '@/modules/identity/users.service';
import { LotStock } from '@/modules/orders/lot-stock';
import { Channel } from '@/modules/orders/entities/order.entity';
import { ProductNotCertifiedError } from '@/modules/orders/errors';
import { OrdersService } from '@/modules/orders/orders.service';
import {
  AcceptDto,
  NewProcurementOrderDto,
  ProcurementEventView,
  ProcurementOrderListQuery,
  ProcurementOrderView,
} from './dto/procurement.dto';
import {
  ProcurementLineEntity,
  ProcurementOrderEntity,
  ProcurementStatus,
} from './entities/procurement.entity';
import {
  FourEyesError,
  NothingReceivedError,
  NotOwnOrganizationError,
  NotYourLinesError,
  ProcurementOrderNotFoundError,
  ProcurementStateError,
} from './errors';
import { OrganizationsService } from './organizations.service';
import { ProcurementRepository } from './procurement.repository';

const S = ProcurementStatus;

/**
 * A unit's procurement order from draft to payment: the buyer drafts and submits, another user approves (four
 * eyes; the order's stock is taken from the lots then, through the order core), each supplier confirms and
 * ships its own lines, the buyer accepts what arrived with the invoice (the order core settles exactly that
 * amount and the ledger makes the households' credits available), and the district records the payment, due
 * within PROCUREMENT_PAYMENT_DAYS. Every step is in the audit trail.
 */
@Injectable()
export class ProcurementOrdersService {
  private readonly logger = new Logger(ProcurementOrdersService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(ProcurementRepository) private readonly repo: ProcurementRepository,
    @Inject(OrganizationsService) private readonly organizations: OrganizationsService,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(LotStock) private readonly lotStock: LotStock,
    @Inject(ProductsService) private readonly products: ProductsService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SMS_PROVIDER) private readonly sms: SmsProvider,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** A buyer drafts an order of certified products for its organization. */
  async create(user: AuthUser, dto: NewProcurementOrderDto): Promise<ProcurementOrderView> {
    const organizationId = this.ownOrganization(user);
    const seen = new Set<string>();
    const dup = dto.lines.findIndex((l) => seen.size === seen.add(l.productId).size);
    if (dup >= 0) {
      throw new ValidationFailedError([
        { field: `lines[${dup}].productId`, message: 'each product appears on one line only' },
      ]);
    }
    const { products } = await this.lotStock.plan(
      dto.lines.map((l) => ({ productId: l.productId, quantity: 0 })),
    );
    const lines: ProcurementLineEntity[] = [];
    const order = Object.assign(new ProcurementOrderEntity(), {
      id: newId(),
      organizationId,
      status: S.Draft,
      deliveryAddress: dto.deliveryAddress,
      orderedFen: 0,
      createdBy: user.id,
    });
    for (const [i, l] of dto.lines.entries()) {
      const p = products.get(l.productId);
      if (!p) {
        throw new ValidationFailedError([
          { field: `lines[${i}].productId`, message: 'productId must name an existing product' },
        ]);
      }
      if (!p.certified) {
        throw new ProductNotCertifiedError(`lines[${i}].productId`, p.name);
      }
      const { category } = await this.products.requireProduct(l.productId);
      lines.push(
        Object.assign(new ProcurementLineEntity(), {
          id: newId(),
          orderId: order.id,
          lineNo: i + 1,
          productId: l.productId,
          productName: p.name,
          category,
          supplierId: p.supplierId,
          quantity: l.quantity,
          unitPriceFen: p.priceFen,
          amountFen: p.priceFen * l.quantity,
          receivedQuantity: null,
          confirmedAt: null,
          shippedAt: null,
        }),
      );
    }
    order.orderedFen = lines.reduce((a, l) => a + l.amountFen, 0);
    const now = new Date();
    await withTransaction(this.db, (em) =>
      runStatements(em, [
        ...this.repo.insertOrderStatements(order, lines),
        this.repo.eventStatement(
          order.id,
          user.id,
          'CREATED',
          `${lines.length} lines, ${formatYuan(order.orderedFen)} yuan`,
          now,
        ),
      ]),
    );
    return this.getFor(user, order.id);
  }

  /** The buyer submits its draft; the organization's approvers are told by SMS. */
  async submit(user: AuthUser, id: string): Promise<ProcurementOrderView> {
    const order = await this.requireOwn(user, id);
    this.expect(order, [S.Draft], 'submitted');
    const now = new Date();
    await this.step(
      id,
      [S.Draft],
      { status: S.Submitted, submitted_by: user.id, submitted_date: businessDate(now) },
      [this.repo.eventStatement(id, user.id, 'SUBMITTED', null, now)],
    );
    await this.tellApprovers(order, user);
    return this.getFor(user, id);
  }

  /**
   * Another user of the organization approves: the order core places the order (its id is this order's) and
   * takes the stock from the lots; 409 `out-of-stock` leaves the order SUBMITTED.
   */
  async approve(user: AuthUser, id: string): Promise<ProcurementOrderView> {
    const order = await this.requireOwn(user, id);
    this.expect(order, [S.Submitted], 'approved');
    if (order.submittedBy === user.id) {
      throw new FourEyesError();
    }
    const lines = await this.repo.linesOf([id]);
    if (!(await this.orders.exists(id))) {
      try {
        await this.orders.create({
          id,
          buyerUserId: order.submittedBy!,
          channel: Channel.Procurement,
          lines: lines.map((l) => ({
            productId: l.productId,
            quantity: l.quantity,
            unitPriceFen: l.unitPriceFen,
          })),
          attribution: { organizationId: order.organizationId },
        });
      } catch (e) {
        // Another approver placed it at the same moment: one order, whoever's step below wins.
        if (!isDuplicateKey(e)) {
          throw e;
        }
      }
    }
    const now = new Date();
    const changed = await this.step(id, [S.Submitted], { status: S.Approved, decided_by: user.id }, [
      this.repo.eventStatement(id, user.id, 'APPROVED', null, now),
    ]);
    if (!changed) {
      const current = await this.repo.findOrder(id);
      if (current?.status === S.Rejected) {
        // Rejected meanwhile: the order placed for it gives its stock back (approved by another: it stays).
        await this.releaseStock(id);
      }
      throw await this.changedMeanwhile(id, 'approved');
    }
    return this.getFor(user, id);
  }

  /** Cancels the order core's order of a procurement order that will not go on, returning its stock. */
  private async releaseStock(id: string): Promise<void> {
    if (await this.orders.exists(id)) {
      await withTransaction(this.db, async (em) =>
        this.orders.cancelUnpaid(em, await this.orders.requireOrder(id, em, true)),
      );
    }
  }

  async reject(user: AuthUser, id: string, reason: string): Promise<ProcurementOrderView> {
    const order = await this.requireOwn(user, id);
    this.expect(order, [S.Submitted], 'rejected');
    if (order.submittedBy === user.id) {
      throw new FourEyesError();
    }
    const changed = await this.step(
      id,
      [S.Submitted],
      { status: S.Rejected, decided_by: user.id, reject_reason: reason },
      [this.repo.eventStatement(id, user.id, 'REJECTED', reason, new Date())],
    );
    if (!changed) {
      throw await this.changedMeanwhile(id, 'rejected');
    }
    // An approval that placed the order and then lost to this rejection leaves its stock to give back.
    await this.releaseStock(id);
    return this.getFor(user, id);
  }

  /**
   * The buyer calls off an order before anything shipped (a draft, one waiting for approval, or one a
   * supplier never delivers): its stock goes back to the lots and its commitment leaves the quota.
   */
  async cancel(user: AuthUser, id: string, reason: string): Promise<ProcurementOrderView> {
    const open = [S.Draft, S.Submitted, S.Approved, S.Confirmed];
    const order = await this.requireOwn(user, id);
    this.expect(order, open, 'cancelled');
    const lines = await this.repo.linesOf([id]);
    if (lines.some((l) => l.shippedAt)) {
      throw new ProcurementStateError(order.status, 'cancelled: a supplier has shipped its lines');
    }
    const changed = await this.step(id, open, { status: S.Cancelled, reject_reason: reason }, [
      this.repo.eventStatement(id, user.id, 'CANCELLED', reason, new Date()),
    ]);
    if (!changed) {
      throw await this.changedMeanwhile(id, 'cancelled');
    }
    await this.releaseStock(id);
    return this.getFor(user, id);
  }

  /** A supplier confirms (or ships) its own lines; the order is CONFIRMED (SHIPPED) when every line is. */
  async supplierStep(user: AuthUser, id: string, step: 'confirm' | 'ship'): Promise<ProcurementOrderView> {
    const supplierId = user.supplierId;
    if (!supplierId) {
      throw new NotYourLinesError();
    }
    await withTransaction(this.db, async (em) => {
      const order = await this.repo.findOrder(id, em, true);
      if (!order) {
        throw new ProcurementOrderNotFoundError(id);
      }
      const lines = await this.repo.linesOf([id], em);
      const mine = lines.filter((l) => l.supplierId === supplierId);
      if (!mine.length) {
        throw new NotYourLinesError();
      }
      // A supplier acts once the order is approved, until every line has shipped.
      this.expect(order, [S.Approved, S.Confirmed], step === 'confirm' ? 'confirmed' : 'shipped');
      if (step === 'ship' && mine.some((l) => !l.confirmedAt)) {
        throw new ProcurementStateError(order.status, 'shipped before its lines are confirmed');
      }
      const now = new Date();
      const todo = mine.filter((l) => (step === 'confirm' ? !l.confirmedAt : !l.shippedAt));
      if (!todo.length) {
        return; // already done: a repeat changes nothing
      }
      for (const l of todo) {
        if (step === 'confirm') {
          l.confirmedAt = now;
        } else {
          l.shippedAt = now;
        }
      }
      const next = lines.every((l) => l.shippedAt)
        ? S.Shipped
        : lines.every((l) => l.confirmedAt)
          ? S.Confirmed
          : order.status;
      await runStatements(em, [
        this.repo.lineStatement(
          todo.map((l) => l.id),
          step === 'confirm' ? { confirmed_at: now } : { shipped_at: now },
        ),
        this.repo.updateOrderStatement(id, [order.status], { status: next }),
        this.repo.eventStatement(
          id,
          user.id,
          step === 'confirm' ? 'CONFIRMED' : 'SHIPPED',
          `supplier ${supplierId}: lines ${todo.map((l) => l.lineNo).join(', ')}`,
          now,
        ),
      ]);
    });
    return this.getFor(user, id);
  }

  /**
   * The buyer accepts what arrived: each product's received quantity (at most what was ordered) and the
   * invoice, whose amount must be what was received. The order core settles exactly that amount (the
   * shortfall goes back to stock), the ledger credits the households (available from today), and payment is
   * due within PROCUREMENT_PAYMENT_DAYS.
   */
  async accept(user: AuthUser, id: string, dto: AcceptDto): Promise<ProcurementOrderView> {
    const order = await this.requireOwn(user, id);
    this.expect(order, [S.Shipped], 'accepted');
    const lines = await this.repo.linesOf([id]);
    const received = new Map<string, number>();
    const errors: { field: string; message: string }[] = [];
    for (const [i, l] of dto.lines.entries()) {
      const line = lines.find((x) => x.productId === l.productId);
      if (!line) {
        errors.push({ field: `lines[${i}].productId`, message: 'productId is not on this order' });
      } else if (received.has(l.productId)) {
        errors.push({ field: `lines[${i}].productId`, message: 'each product appears once' });
      } else if (l.receivedQuantity > line.quantity) {
        errors.push({
          field: `lines[${i}].receivedQuantity`,
          message: `receivedQuantity must be at most the ${line.quantity} ordered`,
        });
      } else {
        received.set(l.productId, l.receivedQuantity);
      }
    }
    if (errors.length) {
      throw new ValidationFailedError(errors);
    }
    const acceptedFen = lines.reduce((a, l) => a + (received.get(l.productId) ?? 0) * l.unitPriceFen, 0);
    if (acceptedFen === 0) {
      throw new NothingReceivedError();
    }
    if (dto.invoiceFen !== acceptedFen) {
      throw new ValidationFailedError([
        {
          field: 'invoiceFen',
          message: `invoiceFen must be the received amount, ${acceptedFen} fen (${formatYuan(acceptedFen)} yuan)`,
        },
      ]);
    }
    const now = new Date();
    const today = businessDate(now);
    const settled = await withTransaction(this.db, async (em) => {
      const locked = await this.repo.findOrder(id, em, true);
      this.expect(locked!, [S.Shipped], 'accepted');
      // Each product's received units fill its core lines in order (the first-expiring lots first).
      const left = new Map(received);
      const perCoreLine = new Map<string, number>();
      for (const cl of await this.orders.linesOf(id, em)) {
        const want = left.get(cl.productId!) ?? 0;
        const take = Math.min(want, cl.quantity);
        perCoreLine.set(cl.id, take);
        left.set(cl.productId!, want - take);
      }
      const result = await this.orders.settleAccepted(em, id, perCoreLine, now);
      await runStatements(em, [
        ...lines.map((l) =>
          this.repo.lineStatement([l.id], { received_quantity: received.get(l.productId) ?? 0 }),
        ),
        this.repo.updateOrderStatement(id, [S.Shipped], {
          status: S.Accepted,
          accepted_fen: result.acceptedFen,
          accepted_date: today,
          invoice_no: dto.invoiceNo,
          invoice_fen: dto.invoiceFen,
          due_date: addDays(today, this.env.PROCUREMENT_PAYMENT_DAYS),
        }),
        this.repo.eventStatement(
          id,
          user.id,
          'ACCEPTED',
          `received ${formatYuan(result.acceptedFen)} of ${formatYuan(order.orderedFen)} yuan; invoice ${dto.invoiceNo}`,
          now,
        ),
      ]);
      return result;
    });
    await this.orders.acceptedCommitted(id, Channel.Procurement, settled.acceptedFen, now);
    return this.getFor(user, id);
  }

  /** The district records the unit's payment (the bank transfer's reference). */
  async pay(user: AuthUser, id: string, reference: string): Promise<ProcurementOrderView> {
    const order = await this.require(id);
    this.expect(order, [S.Accepted], 'paid');
    const now = new Date();
    const late = order.dueDate !== null && businessDate(now) > order.dueDate;
    const changed = await this.step(
      id,
      [S.Accepted],
      { status: S.Paid, paid_at: now, payment_ref: reference },
      [
        this.repo.eventStatement(
          id,
          user.id,
          'PAID',
          `${reference}${late ? ` (due ${order.dueDate})` : ''}`,
          now,
        ),
      ],
    );
    if (!changed) {
      throw await this.changedMeanwhile(id, 'paid');
    }
    return this.getFor(user, id);
  }

  /**
   * Books an order the unit already received, accepted and paid (a past year taken over from the district's
   * books, as the demo's 2020 does): the same rows as the workflow leaves, the stock taken from the lots, the
   * order core settled on `acceptedOn` so the ledger credits households on that date, and the audit trail
   * saying it was booked, by whom.
   */
  async bookAccepted(
    user: AuthUser,
    b: {
      organizationId: string;
      lines: { productId: string; quantity: number }[];
      acceptedOn: string;
      paidOn: string;
      invoiceNo: string;
      paymentRef: string;
    },
  ): Promise<string> {
    const draft = await this.create(
      { ...user, organizationId: b.organizationId },
      {
        lines: b.lines,
        deliveryAddress: '（按账簿补录）',
      },
    );
    const id = draft.id;
    await this.orders.create({
      id,
      buyerUserId: user.id,
      channel: Channel.Procurement,
      lines: draft.lines.map((l) => ({
        productId: l.productId,
        quantity: l.quantity,
        unitPriceFen: l.unitPriceFen,
      })),
      attribution: { organizationId: b.organizationId },
    });
    const at = new Date(`${b.acceptedOn}T12:00:00+08:00`);
    const lines = await this.repo.linesOf([id]);
    const settled = await withTransaction(this.db, async (em) => {
      const all = new Map((await this.orders.linesOf(id, em)).map((l) => [l.id, l.quantity]));
      const result = await this.orders.settleAccepted(em, id, all, at);
      await runStatements(em, [
        this.repo.lineStatement(
          lines.map((l) => l.id),
          { confirmed_at: at, shipped_at: at },
        ),
        ...lines.map((l) => this.repo.lineStatement([l.id], { received_quantity: l.quantity })),
        this.repo.updateOrderStatement(id, [S.Draft], {
          status: S.Paid,
          submitted_by: user.id,
          submitted_date: b.acceptedOn,
          decided_by: user.id,
          accepted_fen: result.acceptedFen,
          accepted_date: b.acceptedOn,
          invoice_no: b.invoiceNo,
          invoice_fen: result.acceptedFen,
          due_date: addDays(b.acceptedOn, this.env.PROCUREMENT_PAYMENT_DAYS),
          paid_at: new Date(`${b.paidOn}T12:00:00+08:00`),
          payment_ref: b.paymentRef,
        }),
        this.repo.eventStatement(
          id,
          user.id,
          'BOOKED',
          `accepted ${b.acceptedOn}, paid ${b.paidOn} (${b.paymentRef})`,
          new Date(),
        ),
      ]);
      return result;
    });
    await this.orders.acceptedCommitted(id, Channel.Procurement, settled.acceptedFen, at);
    return id;
  }

  // ---- reading ------------------------------------------------------------------------------------------

  /** An order as this user may see it: a supplier sees only its own lines. */
  async getFor(user: AuthUser, id: string): Promise<ProcurementOrderView> {
    const order = await this.require(id);
    const lines = await this.repo.linesOf([id]);
    return this.viewFor(user, order, lines);
  }

  async list(user: AuthUser, q: ProcurementOrderListQuery): Promise<Page<ProcurementOrderView>> {
    const limit = q.limit ?? 50;
    const scope = this.listScope(user, q.organizationId);
    const rows = await this.repo.listOrders({
      ...scope,
      status: q.status,
      before: q.cursor,
      limit: limit + 1,
    });
    const more = rows.length > limit;
    const items = more ? rows.slice(0, limit) : rows;
    const lines = await this.repo.linesOf(items.map((o) => o.id));
    return {
      items: items.map((o) =>
        this.viewFor(
          user,
          o,
          lines.filter((l) => l.orderId === o.id),
        ),
      ),
      nextCursor: more ? items[items.length - 1].id : null,
    };
  }

  async events(user: AuthUser, id: string): Promise<ProcurementEventView[]> {
    await this.getFor(user, id); // the same scope as the order
    // A supplier sees who did what and when, not the unit's amounts and invoice in the details.
    const supplierView =
      !hasRole(user, Role.Admin) && user.organizationId !== (await this.repo.findOrder(id))!.organizationId;
    const events = await this.repo.events(id);
    const names = await this.users.usernames(events.flatMap((e) => (e.userId ? [e.userId] : [])));
    return events.map((e) => ({
      at: e.at.toISOString(),
      userId: e.userId,
      username: e.userId ? (names.get(e.userId) ?? null) : null,
      action: e.action,
      detail: supplierView && e.action !== 'CONFIRMED' && e.action !== 'SHIPPED' ? null : e.detail,
    }));
  }

  /** Accepted orders past their due date: every unit's for the district, its own for a unit. */
  async overdueFor(user: AuthUser, organizationId?: string): Promise<ProcurementOrderView[]> {
    const scope = hasRole(user, Role.Admin) ? organizationId : this.ownOrganization(user);
    const rows = await this.repo.overdue(businessDate(), scope);
    const lines = await this.repo.linesOf(rows.map((o) => o.id));
    return rows.map((o) =>
      this.viewFor(
        user,
        o,
        lines.filter((l) => l.orderId === o.id),
      ),
    );
  }

  /**
   * The daily reminder: each unit with orders past due gets one SMS per approver, naming how many orders,
   * how much and since when. Returns how many messages went out.
   */
  async remindOverdue(today = businessDate()): Promise<{ organizations: number; messages: number }> {
    const rows = await this.repo.overdue(today, undefined, 100_000);
    const byOrg = new Map<string, ProcurementOrderEntity[]>();
    for (const o of rows) {
      byOrg.set(o.organizationId, [...(byOrg.get(o.organizationId) ?? []), o]);
    }
    const names = await this.organizations.findMany([...byOrg.keys()]);
    let messages = 0;
    for (const [orgId, list] of byOrg) {
      const fen = list.reduce((a, o) => a + o.acceptedFen, 0);
      const text =
        `【消费扶贫】${names.get(orgId)?.name ?? ''}有${list.length}笔扶贫产品采购已验收未付款，合计${formatYuan(fen)}元，` +
        `最早应于${list[0].dueDate}前付款，现已逾期。请按时支付，保障脱贫户及时收款。`;
      for (const a of await this.organizations.approversOf(orgId)) {
        await this.sms.send(a.phone, text);
        messages++;
      }
      await runStatements(
        this.db,
        list.map((o) =>
          this.repo.eventStatement(
            o.id,
            null, // the service itself
            'REMINDED',
            `overdue since ${o.dueDate}`,
            new Date(),
          ),
        ),
      );
    }
    return { organizations: byOrg.size, messages };
  }

  // ---- helpers ------------------------------------------------------------------------------------------

  private async tellApprovers(order: ProcurementOrderEntity, submitter: AuthUser): Promise<void> {
    try {
      const org = await this.organizations.require(order.organizationId);
      const text =
        `【消费扶贫】${org.name}有一笔扶贫产品采购订单待您审批：金额${formatYuan(order.orderedFen)}元，` +
        `提交人${submitter.username}。请登录单位门户 ${this.env.PUBLIC_BASE_URL}/p 处理。`;
      for (const a of await this.organizations.approversOf(order.organizationId)) {
        if (a.userId !== submitter.id) {
          await this.sms.send(a.phone, text);
        }
      }
    } catch (e) {
      // The order is submitted whatever the SMS gateway says; the queue in the portal shows it.
      this.logger.error({ err: e as Error, orderId: order.id }, 'could not tell the approvers');
    }
  }

  /** Runs a conditional step with its audit rows; false when the order was no longer in `from`. */
  private async step(
    id: string,
    from: ProcurementStatus[],
    set: Record<string, unknown>,
    also: readonly Statement[],
  ): Promise<boolean> {
    return withTransaction(this.db, async (em) => {
      const [res] = (await runStatements(em, [this.repo.updateOrderStatement(id, from, set)])) as {
        affectedRows: number;
      }[];
      if (res.affectedRows !== 1) {
        return false;
      }
      await runStatements(em, also);
      return true;
    });
  }

  /** The answer when another step changed the order between our read and our write. */
  private async changedMeanwhile(id: string, action: string): Promise<ProcurementStateError> {
    return new ProcurementStateError((await this.repo.findOrder(id))!.status, action);
  }

  private expect(order: ProcurementOrderEntity, allowed: ProcurementStatus[], action: string): void {
    if (!allowed.includes(order.status)) {
      throw new ProcurementStateError(order.status, action);
    }
  }

  private ownOrganization(user: AuthUser): string {
    if (!user.organizationId) {
      throw new NotOwnOrganizationError();
    }
    return user.organizationId;
  }

  private async require(id: string): Promise<ProcurementOrderEntity> {
    const order = await this.repo.findOrder(id);
    if (!order) {
      throw new ProcurementOrderNotFoundError(id);
    }
    return order;
  }

  /** An order of the user's own organization (an administrator: any). */
  private async requireOwn(user: AuthUser, id: string): Promise<ProcurementOrderEntity> {
    const order = await this.require(id);
    this.organizations.assertOwn(user, order.organizationId);
    return order;
  }

  private listScope(
    user: AuthUser,
    organizationId?: string,
  ): { organizationId?: string; supplierId?: string } {
    if (hasRole(user, Role.Admin)) {
      return { organizationId };
    }
    if (user.organizationId && (hasRole(user, Role.UnitBuyer) || hasRole(user, Role.UnitApprover))) {
      if (organizationId && organizationId !== user.organizationId) {
        throw new NotOwnOrganizationError();
      }
      return { organizationId: user.organizationId };
    }
    if (user.supplierId && hasRole(user, Role.Supplier)) {
      return { supplierId: user.supplierId };
    }
    throw new ForbiddenError();
  }

  private viewFor(
    user: AuthUser,
    o: ProcurementOrderEntity,
    lines: readonly ProcurementLineEntity[],
  ): ProcurementOrderView {
    let visible = lines;
    if (!hasRole(user, Role.Admin) && user.organizationId !== o.organizationId) {
      visible = user.supplierId ? lines.filter((l) => l.supplierId === user.supplierId) : [];
      if (!visible.length) {
        throw user.supplierId ? new NotYourLinesError() : new NotOwnOrganizationError();
      }
    }
    const supplierView = visible !== lines;
    return {
      id: o.id,
      organizationId: o.organizationId,
      status: o.status,
      deliveryAddress: o.deliveryAddress,
      totalFen: supplierView ? visible.reduce((a, l) => a + l.amountFen, 0) : o.orderedFen,
      acceptedFen: supplierView
        ? visible.reduce((a, l) => a + (l.receivedQuantity ?? 0) * l.unitPriceFen, 0)
        : o.acceptedFen,
      lines: visible.map((l) => ({
        id: l.id,
        productId: l.productId,
        productName: l.productName,
        category: l.category,
        supplierId: l.supplierId,
        quantity: l.quantity,
        unitPriceFen: l.unitPriceFen,
        amountFen: l.amountFen,
        receivedQuantity: l.receivedQuantity,
        confirmedAt: l.confirmedAt ? l.confirmedAt.toISOString() : null,
        shippedAt: l.shippedAt ? l.shippedAt.toISOString() : null,
      })),
      createdBy: o.createdBy,
      submittedBy: o.submittedBy,
      decidedBy: o.decidedBy,
      rejectReason: o.rejectReason,
      acceptedDate: o.acceptedDate,
      invoiceNo: supplierView ? null : o.invoiceNo,
      invoiceFen: supplierView ? null : o.invoiceFen,
      dueDate: o.dueDate,
      paidAt: o.paidAt ? o.paidAt.toISOString() : null,
      paymentRef: supplierView ? null : o.paymentRef,
      overdue: o.status === S.Accepted && o.dueDate !== null && o.dueDate < businessDate(),
      createdAt: o.createdAt.toISOString(),
    };
  }
}
