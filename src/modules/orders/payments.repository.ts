import { BatchPool } from '@/infrastructure/database/batch-pool';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { runStatements, Statement } from '@/infrastructure/database/transaction';
import { Channel, OrderEntity, OrderStatus } from './entities/order.entity';
import { PaymentEntity, PaymentStatus } from './entities/payment.entity';
import { RefundEntity } from './entities/refund.entity';
import { ORDER_COLUMNS, orderFromRow } from './orders.repository';

const PAYMENT_COLUMNS = `SELECT id, order_id, provider, provider_ref, status, amount_fen, failure_reason, captured_at,
  captured_date, created_at, updated_at FROM payments`;

/** The payment's identity as a provider's verdict names it: ours, from this provider, under this reference. */
export interface PaymentMatch {
  paymentId: string;
  provider: string;
  /** The provider's reference when the verdict carries one. */
  ref: string | null;
}

/** Only our payment from this provider, still open, and (when both know it) under the same reference. */
const MINE = 'id = ? AND provider = ? AND (? IS NULL OR provider_ref IS NULL OR provider_ref = ?)';
const mine = (m: PaymentMatch) => [m.paymentId, m.provider, m.ref, m.ref];

/** Every SQL statement on payments and refunds, with its row mapper. */
@Injectable()
export class PaymentsRepository {
  constructor(
    @Inject(BatchPool) private readonly batch: BatchPool,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  /**
   * Inserts a PENDING payment for the whole order, only if the order is the buyer's, in a payable status and
   * within its time; reads the order in the same round trip. Throws the driver's duplicate-key error when
   * the order has an open payment already (one per order, kept by a unique stored column).
   */
  async insertIfPayable(p: {
    id: string;
    orderId: string;
    provider: string;
    buyerUserId: string;
    payableStatus: OrderStatus;
    /** The channels whose orders are paid through a provider (not invoiced, not paid at a stall). */
    channels: readonly string[];
    now: Date;
  }): Promise<{ inserted: boolean; order: OrderEntity | null }> {
    const [inserted, rows] = (await runStatements(this.batch, [
      [
        `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_fen, created_at, updated_at)
         SELECT ?, id, ?, NULL, ?, total_fen, ?, ? FROM orders
          WHERE id = ? AND buyer_user_id = ? AND status = ? AND (pay_by IS NULL OR pay_by > ?)
            AND channel IN (${p.channels.map(() => '?').join(',')})`,
        [
          p.id,
          p.provider,
          PaymentStatus.Pending,
          p.now,
          p.now,
          p.orderId,
          p.buyerUserId,
          p.payableStatus,
          p.now,
          ...p.channels,
        ],
      ],
      [`${ORDER_COLUMNS} WHERE id = ?`, [p.orderId]],
    ])) as [{ affectedRows: number }, Record<string, unknown>[]];
    return { inserted: inserted.affectedRows === 1, order: rows[0] ? orderFromRow(rows[0]) : null };
  }

  async insert(p: PaymentEntity): Promise<void> {
    await this.db.query(
      `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_fen, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [p.id, p.orderId, p.provider, p.providerRef, p.status, p.amountFen, p.createdAt, p.updatedAt],
    );
  }

  /** The statement that records a payment captured elsewhere (a platform's shop took the money). */
  insertCapturedStatement(p: PaymentEntity): Statement {
    return [
      `INSERT INTO payments (id, order_id, provider, provider_ref, status, amount_fen, captured_at, captured_date, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        p.id,
        p.orderId,
        p.provider,
        p.providerRef,
        PaymentStatus.Captured,
        p.amountFen,
        p.capturedAt,
        p.capturedDate,
        p.createdAt,
        p.updatedAt,
      ],
    ];
  }

  async findOpenForOrder(orderId: string): Promise<PaymentEntity | null> {
    const [r] = (await this.db.query(`${PAYMENT_COLUMNS} WHERE open_order_id = ?`, [orderId])) as Record<
      string,
      unknown
    >[];
    return r ? paymentFromRow(r) : null;
  }

  async findById(id: string): Promise<PaymentEntity | null> {
    const [r] = (await this.db.query(`${PAYMENT_COLUMNS} WHERE id = ?`, [id])) as Record<string, unknown>[];
    return r ? paymentFromRow(r) : null;
  }

  async setProviderRef(id: string, ref: string): Promise<void> {
    await this.db.query('UPDATE payments SET provider_ref = ?, updated_at = NOW(3) WHERE id = ?', [ref, id]);
  }

  /** Fails a payment; with `onlyIfPending`, only while it is still PENDING. True when it changed. */
  async markFailed(id: string, reason: string, onlyIfPending = false): Promise<boolean> {
    const r = (await this.db.query(
      `UPDATE payments SET status = ?, failure_reason = ?, updated_at = NOW(3) WHERE id = ?${onlyIfPending ? ' AND status = ?' : ''}`,
      [PaymentStatus.Failed, reason, id, ...(onlyIfPending ? [PaymentStatus.Pending] : [])],
    )) as { affectedRows: number };
    return r.affectedRows === 1;
  }

  async setFailureReason(id: string, reason: string): Promise<void> {
    await this.db.query('UPDATE payments SET failure_reason = ?, updated_at = NOW(3) WHERE id = ?', [
      reason,
      id,
    ]);
  }

  /** PENDING payments created before `before`, oldest first. */
  async pendingSince(before: Date, limit: number): Promise<PaymentEntity[]> {
    const rows = (await this.db.query(
      `${PAYMENT_COLUMNS} WHERE status = ? AND created_at < ? ORDER BY created_at LIMIT ?`,
      [PaymentStatus.Pending, before, limit],
    )) as Record<string, unknown>[];
    return rows.map(paymentFromRow);
  }

  async pendingForOrder(orderId: string): Promise<PaymentEntity[]> {
    const rows = (await this.db.query(`${PAYMENT_COLUMNS} WHERE order_id = ? AND status = ?`, [
      orderId,
      PaymentStatus.Pending,
    ])) as Record<string, unknown>[];
    return rows.map(paymentFromRow);
  }

  /** Cancels the order's PENDING payments, inside the caller's transaction. */
  async cancelPendingOf(em: EntityManager, orderId: string): Promise<void> {
    await em.query('UPDATE payments SET status = ?, updated_at = NOW(3) WHERE order_id = ? AND status = ?', [
      PaymentStatus.Cancelled,
      orderId,
      PaymentStatus.Pending,
    ]);
  }

  /** The captured payment that paid the order (not one captured too late and handed back already). */
  async capturedFor(em: EntityManager, orderId: string): Promise<PaymentEntity | null> {
    const [r] = (await em.query(
      `${PAYMENT_COLUMNS} WHERE order_id = ? AND status = ? AND failure_reason IS NULL LIMIT 1`,
      [orderId, PaymentStatus.Captured],
    )) as Record<string, unknown>[];
    return r ? paymentFromRow(r) : null;
  }

  /** The payment's order and that order's channel; null when there is no such payment. */
  async orderOf(paymentId: string): Promise<{ orderId: string; channel: Channel } | null> {
    const [r] = (await this.db.query(
      'SELECT p.order_id AS orderId, o.channel FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.id = ?',
      [paymentId],
    )) as { orderId: string; channel: Channel }[];
    return r ?? null;
  }

  /**
   * The statements of a capture, for one batched transaction: the payment (PENDING, or CANCELLED by a
   * deadline that raced the money) becomes CAPTURED (`captured`: its row count), then the order becomes PAID
   * only if it is in one of `payableStatuses` and only by the payment captured just now (`paid`).
   */
  captureStatements(
    m: PaymentMatch,
    orderId: string,
    now: Date,
    today: string,
    payableStatuses: readonly string[],
  ): { captured: Statement; paid: Statement } {
    return {
      captured: [
        `UPDATE payments SET status = ?, captured_at = ?, captured_date = ?, provider_ref = COALESCE(?, provider_ref),
                updated_at = NOW(3)
          WHERE ${MINE} AND status IN (?, ?)`,
        [
          PaymentStatus.Captured,
          now,
          today,
          m.ref,
          ...mine(m),
          PaymentStatus.Pending,
          PaymentStatus.Cancelled,
        ],
      ],
      paid: [
        `UPDATE orders SET status = ?, paid_at = ?, paid_date = ?, updated_at = NOW(3)
          WHERE id = ? AND status IN (${payableStatuses.map(() => '?').join(', ')})
            AND EXISTS (SELECT 1 FROM payments WHERE id = ? AND order_id = ? AND status = ? AND captured_at = ?)`,
        [
          OrderStatus.Paid,
          now,
          today,
          orderId,
          ...payableStatuses,
          m.paymentId,
          orderId,
          PaymentStatus.Captured,
          now,
        ],
      ],
    };
  }

  /** The statement that fails a still-PENDING payment on a provider's refusal. */
  failStatement(m: PaymentMatch, reason: string): Statement {
    return [
      `UPDATE payments SET status = ?, failure_reason = ?, updated_at = NOW(3) WHERE ${MINE} AND status = ?`,
      [PaymentStatus.Failed, reason, ...mine(m), PaymentStatus.Pending],
    ];
  }

  /** The statement that reads a payment (last in a batch, to see it as the batch left it). */
  readStatement(paymentId: string): Statement {
    return [`${PAYMENT_COLUMNS} WHERE id = ?`, [paymentId]];
  }

  async insertRefund(em: EntityManager, r: RefundEntity): Promise<void> {
    await em.insert(RefundEntity, r);
  }

  async findRefund(id: string): Promise<RefundEntity | null> {
    return this.db.getRepository(RefundEntity).findOne({ where: { id } });
  }
}

export function paymentFromRow(r: Record<string, unknown>): PaymentEntity {
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
