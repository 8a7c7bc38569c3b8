import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, IsNull, LessThan, Repository } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { ConflictError, DomainError, ForbiddenError, NotFoundError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { splitFen } from '@/common/money';
import { businessDate } from '@/common/time';
import {
  isDuplicateKey,
  runStatements,
  Statement,
  withBatchTransaction,
  withTransaction,
} from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import {
  InvalidNotificationError,
  PAYMENT_PROVIDERS,
  PaymentProvider,
  ProviderStatus,
} from '@/infrastructure/payments/payment-provider';
import { LedgerJobName } from '@/modules/ledger/jobs/ledger.job-definitions';
import { OrderEntity, OrderStatus } from './entities/order.entity';
import { OrderLineEntity } from './entities/order-line.entity';
import { PaymentEntity, PaymentStatus } from './entities/payment.entity';
import { RefundEntity } from './entities/refund.entity';
import { OrdersJobName } from './jobs/orders.job-definitions';
import { OrderEvents } from './order-events';
import { OrdersService, ORDER_COLUMNS, orderFromRow } from './orders.service';

/**
 * Payments through a provider: start one, learn its outcome from a signed notification (idempotently: a
 * repeat changes nothing) or, when none came, by querying the provider; refunds. Paying an order writes, in
 * the same transaction, the outbox row that allocates its lines to households.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(PaymentEntity) private readonly payments: Repository<PaymentEntity>,
    @Inject(PAYMENT_PROVIDERS) private readonly providers: Map<string, PaymentProvider>,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(OutboxService) private readonly outbox: OutboxService,
    @Inject(OrderEvents) private readonly events: OrderEvents,
    @Inject(ENV) private readonly env: Env,
  ) {}

  provider(name: string): PaymentProvider {
    const p = this.providers.get(name);
    if (!p) {
      throw new DomainError(
        422,
        'unknown-provider',
        'Unknown payment provider',
        `No payment provider is called ${name}.`,
      );
    }
    return p;
  }

  /**
   * The buyer pays an order; the answer is PENDING until the provider confirms. One round trip: the payment
   * is inserted only if the order is the buyer's, awaiting payment and within its time, and the database
   * keeps one open payment per order, so a double tap finds the first tap's payment instead of charging the
   * buyer twice.
   */
  async start(user: AuthUser, orderId: string, providerName: string, attempt = 1): Promise<PaymentEntity> {
    const provider = this.provider(providerName);
    const now = new Date();
    const id = newId();
    let results: unknown[];
    try {
      results = await runStatements(this.db, [
        [
          `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_fen, created_at, updated_at)
           SELECT ?, id, ?, NULL, ?, total_fen, ?, ? FROM orders
            WHERE id = ? AND buyer_user_id = ? AND status = ? AND pay_by > ?`,
          [
            id,
            provider.name,
            PaymentStatus.Pending,
            now,
            now,
            orderId,
            user.id,
            OrderStatus.PendingPayment,
            now,
          ],
        ],
        [`${ORDER_COLUMNS} WHERE id = ?`, [orderId]],
      ]);
    } catch (e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
      // A payment is open already (a double tap, or a retry after a lost answer): that one is the answer.
      const [open] = (await this.db.query(`${PAYMENT_COLUMNS} WHERE open_order_id = ?`, [orderId])) as Record<
        string,
        unknown
      >[];
      if (open) {
        return paymentFromRow(open);
      }
      if (attempt >= 3) {
        throw e;
      }
      // It closed in between (declined, or paid): ask again, now without it.
      return this.start(user, orderId, providerName, attempt + 1);
    }
    const [inserted, [row]] = results as [{ affectedRows: number }, Record<string, unknown>[]];
    if (inserted.affectedRows === 1) {
      const order = orderFromRow(row);
      const payment = Object.assign(this.newPayment(order, provider), { id, createdAt: now, updatedAt: now });
      return this.callProvider(payment, provider, (pid) => provider.create(pid, payment.amountFen));
    }
    // Nothing inserted: say why.
    if (!row) {
      throw new NotFoundError(`Order ${orderId}`, 'order-not-found');
    }
    const order = orderFromRow(row);
    if (order.buyerUserId !== user.id) {
      throw new ForbiddenError('Only the buyer may pay this order.');
    }
    if (order.status !== OrderStatus.PendingPayment) {
      throw new ConflictError('order-not-payable', `The order is ${order.status}.`);
    }
    throw new ConflictError('order-expired', 'The time to pay this order has passed.');
  }

  /** Charges an order through a pay-after-use agreement (cabinets). */
  async chargeAgreement(
    order: OrderEntity,
    providerName: string,
    agreementRef: string,
  ): Promise<PaymentEntity> {
    const provider = this.provider(providerName);
    return this.open(order, provider, (id) => provider.chargeAgreement(agreementRef, id, order.totalFen));
  }

  private async open(
    order: OrderEntity,
    provider: PaymentProvider,
    call: (paymentId: string) => Promise<{ ref: string }>,
  ): Promise<PaymentEntity> {
    const payment = this.newPayment(order, provider);
    const [sql, params] = insertPayment(payment);
    await this.db.query(sql, params as unknown[]);
    return this.callProvider(payment, provider, call);
  }

  private newPayment(order: OrderEntity, provider: PaymentProvider): PaymentEntity {
    return this.payments.create({
      id: newId(),
      orderId: order.id,
      provider: provider.name,
      providerRef: null,
      status: PaymentStatus.Pending,
      amountFen: order.totalFen,
      failureReason: null,
      capturedAt: null,
      capturedDate: null,
      createdAt: new Date(),
      updatedAt: new Date(),
    });
  }

  /** Hands a stored PENDING payment to the provider; FAILED (and 502) when the provider does not answer. */
  private async callProvider(
    payment: PaymentEntity,
    provider: PaymentProvider,
    call: (paymentId: string) => Promise<{ ref: string }>,
  ): Promise<PaymentEntity> {
    try {
      const { ref } = await call(payment.id);
      payment.providerRef = ref;
      await this.db.query('UPDATE payments SET provider_ref = ?, updated_at = NOW(3) WHERE id = ?', [
        ref,
        payment.id,
      ]);
    } catch (e) {
      await this.payments.update(
        { id: payment.id },
        { status: PaymentStatus.Failed, failureReason: 'provider unavailable' },
      );
      this.logger.warn(`provider ${provider.name} refused payment ${payment.id}: ${(e as Error).message}`);
      throw new DomainError(
        502,
        'payment-provider-unavailable',
        'Payment provider unavailable',
        'The payment provider did not answer; try again.',
      );
    }
    return payment;
  }

  async getFor(user: AuthUser, paymentId: string): Promise<PaymentEntity> {
    const p = await this.payments.findOne({ where: { id: paymentId } });
    const order = p ? await this.orders.requireOrder(p.orderId) : undefined;
    if (!p || !order) {
      throw new DomainError(404, 'payment-not-found', 'Not found', `Payment ${paymentId} was not found.`);
    }
    if (order.buyerUserId !== user.id && !hasRole(user, Role.Admin)) {
      throw new ForbiddenError();
    }
    return p;
  }

  /** A provider's notification: verified, then applied once (repeats and late copies change nothing). */
  async handleNotification(
    providerName: string,
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): Promise<void> {
    const provider = this.provider(providerName);
    let note;
    try {
      note = provider.verifyNotification(headers, rawBody);
    } catch (e) {
      const detail = e instanceof InvalidNotificationError ? e.message : 'unreadable notification';
      throw new DomainError(400, 'invalid-notification', 'Invalid notification', detail);
    }
    await this.settle(note.merchantRef, note.status, provider.name, note.ref);
  }

  /**
   * Applies a provider's verdict to our payment (and its order): the one path for notifications, queries
   * and deadlines. SUCCEEDED captures and pays the order (writing the allocation to the outbox); DECLINED or
   * CANCELLED fails the payment; PENDING and UNKNOWN change nothing. One round trip: every change is a
   * conditional statement, so a repeat or a late copy matches nothing and posts nothing.
   */
  async settle(
    paymentId: string,
    status: ProviderStatus,
    providerName: string,
    providerRef?: string,
  ): Promise<PaymentStatus | null> {
    if (status === 'PENDING' || status === 'UNKNOWN') {
      return null;
    }
    const ref = providerRef ?? null;
    // Only our payment from this provider, still open, and (when both know it) under the same reference.
    const mine = 'id = ? AND provider = ? AND (? IS NULL OR provider_ref IS NULL OR provider_ref = ?)';
    const mineParams = [paymentId, providerName, ref, ref];
    const now = new Date();
    const today = businessDate(now);
    const results = await withBatchTransaction(this.db, (tx) =>
      tx.commit(
        status === 'SUCCEEDED'
          ? [
              [
                `UPDATE payments SET status = ?, captured_at = ?, captured_date = ?, provider_ref = COALESCE(?, provider_ref),
                        updated_at = NOW(3)
                  WHERE ${mine} AND status IN (?, ?)`,
                [
                  PaymentStatus.Captured,
                  now,
                  today,
                  ref,
                  ...mineParams,
                  PaymentStatus.Pending,
                  PaymentStatus.Cancelled,
                ],
              ],
              // Only an order still awaiting payment becomes PAID, and only by the payment captured just now.
              [
                `UPDATE orders SET status = ?, paid_at = ?, paid_date = ?, updated_at = NOW(3)
                  WHERE id = (SELECT order_id FROM payments WHERE id = ? AND status = ? AND captured_at = ?)
                    AND status = ?`,
                [
                  OrderStatus.Paid,
                  now,
                  today,
                  paymentId,
                  PaymentStatus.Captured,
                  now,
                  OrderStatus.PendingPayment,
                ],
              ],
              // Allocate the order's lines, if it became PAID just now.
              this.outbox.statementFrom(LedgerJobName.AllocateOrder, {
                payload: "JSON_OBJECT('orderId', order_id)",
                from: 'payments WHERE id = ? AND ROW_COUNT() > 0',
                params: [paymentId],
              }),
              // A paid order's deadline is never needed: its row goes before it reaches the queue.
              [
                `DELETE FROM outbox WHERE job_name = ? AND dispatched_at IS NULL
                    AND id = (SELECT o.id FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.id = ? AND o.status = ?)`,
                [OrdersJobName.OrderDeadline, paymentId, OrderStatus.Paid],
              ],
              [`${PAYMENT_COLUMNS} WHERE id = ?`, [paymentId]],
            ]
          : [
              [
                `UPDATE payments SET status = ?, failure_reason = ?, updated_at = NOW(3) WHERE ${mine} AND status = ?`,
                [PaymentStatus.Failed, `provider: ${status}`, ...mineParams, PaymentStatus.Pending],
              ],
              [`${PAYMENT_COLUMNS} WHERE id = ?`, [paymentId]],
            ],
      ),
    );
    const changed = (results[0] as { affectedRows: number }).affectedRows === 1;
    const [row] = results[results.length - 1] as Record<string, unknown>[];
    const payment = row ? paymentFromRow(row) : undefined;
    if (!changed) {
      if (
        !payment ||
        payment.provider !== providerName ||
        (ref && payment.providerRef && payment.providerRef !== ref) ||
        payment.status === PaymentStatus.Pending
      ) {
        this.logger.warn(`notification for unknown payment ${paymentId} from ${providerName}`);
        return null;
      }
      // Already applied: a duplicate or late notification posts nothing. A cancelled payment stays
      // cancelled when the provider declines it too.
      return payment.status === PaymentStatus.Cancelled ? PaymentStatus.Failed : payment.status;
    }
    if (status !== 'SUCCEEDED') {
      return PaymentStatus.Failed;
    }
    if ((results[1] as { affectedRows: number }).affectedRows === 1) {
      this.outbox.kick();
      this.events.changed({ orderId: payment!.orderId, status: OrderStatus.Paid, paidAt: now });
    } else if (payment!.providerRef) {
      // Money arrived for an order that was cancelled meanwhile (or paid twice): give it back.
      const back = payment!;
      await this.provider(providerName)
        .refund(back.providerRef!, `auto-${back.id}`, back.amountFen)
        .then(() =>
          this.payments.update(
            { id: back.id },
            { failureReason: 'refunded: the order was no longer payable' },
          ),
        )
        .catch((e: unknown) =>
          this.logger.error(`could not return payment ${back.id}: ${(e as Error).message}`),
        );
    }
    return PaymentStatus.Captured;
  }

  /** Queries the provider for every payment pending longer than PAYMENT_RECOVERY_AFTER_SECONDS. */
  async recoverPending(): Promise<{ checked: number; captured: number; failed: number }> {
    const before = new Date(Date.now() - this.env.PAYMENT_RECOVERY_AFTER_SECONDS * 1000);
    const stale = await this.payments.find({
      where: { status: PaymentStatus.Pending, createdAt: LessThan(before) },
      take: 500,
    });
    let captured = 0;
    let failed = 0;
    for (const p of stale) {
      const provider = this.provider(p.provider);
      if (!p.providerRef) {
        await this.payments.update(
          { id: p.id, status: PaymentStatus.Pending },
          { status: PaymentStatus.Failed, failureReason: 'never reached the provider' },
        );
        failed++;
        continue;
      }
      const answer = await provider.query(p.providerRef);
      const outcome = await this.settle(
        p.id,
        answer.status === 'UNKNOWN' ? 'DECLINED' : answer.status,
        p.provider,
        p.providerRef,
      );
      if (outcome === PaymentStatus.Captured) {
        captured++;
      } else if (outcome === PaymentStatus.Failed) {
        failed++;
      }
    }
    return { checked: stale.length, captured, failed };
  }

  /**
   * At an order's deadline: a payment still pending is asked about first (it may have gone through at the
   * last second); an order still unpaid then is cancelled and its stock returns.
   */
  async expireOrder(orderId: string): Promise<'paid' | 'cancelled' | 'early' | 'unchanged'> {
    const order = await this.orders.requireOrder(orderId).catch(() => undefined);
    if (!order || order.status !== OrderStatus.PendingPayment) {
      return 'unchanged';
    }
    if (order.payBy.getTime() > Date.now()) {
      return 'early';
    }
    for (const p of await this.payments.find({ where: { orderId, status: PaymentStatus.Pending } })) {
      if (p.providerRef) {
        const answer = await this.provider(p.provider).query(p.providerRef);
        if ((await this.settle(p.id, answer.status, p.provider, p.providerRef)) === PaymentStatus.Captured) {
          return 'paid';
        }
        await this.provider(p.provider)
          .cancel(p.providerRef)
          .catch(() => undefined);
      }
    }
    const cancelled = await withTransaction(this.db, async (em) => {
      const locked = await this.orders.requireOrder(orderId, em, true);
      const done = await this.orders.cancelUnpaid(em, locked);
      if (done) {
        await em.update(
          PaymentEntity,
          { orderId, status: PaymentStatus.Pending },
          { status: PaymentStatus.Cancelled },
        );
      }
      return done;
    });
    if (cancelled) {
      this.events.changed({ orderId, status: OrderStatus.Cancelled, paidAt: null });
    }
    return cancelled ? 'cancelled' : 'unchanged';
  }

  /** Refunds part or all of a paid order, spread over its lines in proportion to what is left of each. */
  async refund(orderId: string, amountFen: number, reason: string): Promise<RefundEntity> {
    const refund = new RefundEntity();
    refund.id = newId();
    // The order row stays locked from the check to the commit, so concurrent refunds cannot together exceed
    // the payment; the provider's refund is keyed by the refund id, so a retried transaction refunds once.
    const saved = await withTransaction(this.db, async (em) => {
      const locked = await this.orders.requireOrder(orderId, em, true);
      if (locked.status !== OrderStatus.Paid && locked.status !== OrderStatus.PartiallyRefunded) {
        throw new ConflictError('order-not-refundable', `The order is ${locked.status}.`);
      }
      if (amountFen > locked.totalFen - locked.refundedFen) {
        throw new DomainError(
          422,
          'refund-exceeds-payment',
          'Refund too large',
          `At most ${locked.totalFen - locked.refundedFen} fen can be refunded.`,
        );
      }
      // The payment that paid the order, not one captured too late and handed back already.
      const payment = await em.getRepository(PaymentEntity).findOne({
        where: { orderId, status: PaymentStatus.Captured, failureReason: IsNull() },
      });
      if (!payment?.providerRef) {
        throw new ConflictError('order-not-refundable', 'The order has no captured payment.');
      }
      const answer = await this.provider(payment.provider).refund(payment.providerRef, refund.id, amountFen);
      const lines = await this.orders.linesOf(orderId, em);
      const left = lines.map((l) => l.amountFen - l.refundedFen);
      const parts = splitFen(amountFen, left);
      Object.assign(refund, {
        orderId,
        paymentId: payment.id,
        amountFen,
        reason,
        providerRef: answer.ref,
        lineAmounts: lines
          .map((l, i) => ({ lineId: l.id, amountFen: parts[i] }))
          .filter((p) => p.amountFen > 0),
        refundDate: businessDate(),
        createdAt: new Date(),
      });
      await em.insert(RefundEntity, refund);
      for (const [i, l] of lines.entries()) {
        if (parts[i] > 0) {
          await em.update(OrderLineEntity, { id: l.id }, { refundedFen: l.refundedFen + parts[i] });
        }
      }
      const refunded = locked.refundedFen + amountFen;
      await em.update(
        OrderEntity,
        { id: orderId },
        {
          refundedFen: refunded,
          status: refunded === locked.totalFen ? OrderStatus.Refunded : OrderStatus.PartiallyRefunded,
        },
      );
      await this.outbox.add(em, LedgerJobName.ReverseRefund, { refundId: refund.id });
      return refund;
    });
    this.outbox.kick();
    return saved;
  }

  getRefund(id: string): Promise<RefundEntity | null> {
    return this.db.getRepository(RefundEntity).findOne({ where: { id } });
  }
}

const PAYMENT_COLUMNS = `SELECT id, order_id, provider, provider_ref, status, amount_fen, failure_reason, captured_at,
  captured_date, created_at, updated_at FROM payments`;

function paymentFromRow(r: Record<string, unknown>): PaymentEntity {
  return Object.assign(new PaymentEntity(), {
    id: r.id as string,
    orderId: r.order_id as string,
    provider: r.provider as string,
    providerRef: (r.provider_ref as string | null) ?? null,
    status: r.status as PaymentStatus,
    amountFen: Number(r.amount_fen),
    failureReason: (r.failure_reason as string | null) ?? null,
    capturedAt: (r.captured_at as Date | null) ?? null,
    capturedDate: (r.captured_date as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  });
}

function insertPayment(p: PaymentEntity): Statement {
  return [
    `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_fen, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [p.id, p.orderId, p.provider, p.providerRef, p.status, p.amountFen, p.createdAt, p.updatedAt],
  ];
}
