import { BatchPool } from '@/infrastructure/database/batch-pool';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { businessDate } from '@/common/time';
import { withBatchTransaction, withTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { InvalidNotificationError, ProviderStatus } from '@/infrastructure/payments/payment-provider';
import { LedgerInboxJobName, OrdersJobName } from './jobs/orders.job-definitions';
import { OrderStatus } from './entities/order.entity';
import { InvalidNotificationProblem } from './errors';
import { PaymentStatus } from './entities/payment.entity';
import { OrderEvents } from './order-events';
import { OrderLifecycle } from './order-lifecycle';
import { OrdersService } from './orders.service';
import { PaymentProviders } from './payment-providers';
import { paymentFromRow, PaymentsRepository } from './payments.repository';

/**
 * Settling payments: a provider's verdict (a signed notification, an answer to a query, a deadline's check)
 * applied once to our payment and its order. Paying an order writes, in the same transaction, the outbox
 * row that allocates its lines to households; an order still unpaid at its deadline is cancelled.
 */
@Injectable()
export class SettlementService {
  private readonly logger = new Logger(SettlementService.name);

  constructor(
    @Inject(BatchPool) private readonly batch: BatchPool,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(PaymentsRepository) private readonly payments: PaymentsRepository,
    @Inject(PaymentProviders) private readonly providers: PaymentProviders,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(OrderLifecycle) private readonly lifecycle: OrderLifecycle,
    @Inject(OutboxService) private readonly outbox: OutboxService,
    @Inject(OrderEvents) private readonly events: OrderEvents,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** A provider's notification: verified, then applied once (repeats and late copies change nothing). */
  async handleNotification(
    providerName: string,
    headers: Record<string, string | string[] | undefined>,
    rawBody: string,
  ): Promise<void> {
    const provider = this.providers.get(providerName);
    let note;
    try {
      note = provider.verifyNotification(headers, rawBody);
    } catch (e) {
      throw new InvalidNotificationProblem(
        e instanceof InvalidNotificationError ? e.message : 'unreadable notification',
      );
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
    const match = { paymentId, provider: providerName, ref: providerRef ?? null };
    const owner = await this.payments.orderOf(paymentId);
    if (!owner) {
      this.logger.warn({ paymentId, provider: providerName }, 'notification for an unknown payment');
      return null;
    }
    const now = new Date();
    const succeeded = status === 'SUCCEEDED';
    const capture = this.payments.captureStatements(
      match,
      owner.orderId,
      now,
      businessDate(now),
      this.lifecycle.sourcesOf(OrderStatus.Paid, owner.channel),
    );
    // One round trip: every change is conditional on the one before, so a repeat matches nothing.
    const [first, second, ...rest] = await withBatchTransaction(this.batch, (tx) =>
      tx.commit(
        succeeded
          ? [
              capture.captured,
              capture.paid,
              // Allocate the order's lines if it became PAID just now …
              this.outbox.statement(
                LedgerInboxJobName.AllocateOrder,
                { orderId: owner.orderId },
                { ifPreviousChanged: true },
              ),
              // … and withdraw its deadline, never needed now, before it reaches the queue.
              this.outbox.withdrawStatement(owner.orderId, OrdersJobName.OrderDeadline, {
                ifPreviousChanged: true,
              }),
              this.payments.readStatement(paymentId),
            ]
          : [
              this.payments.failStatement(match, `provider: ${status}`),
              this.payments.readStatement(paymentId),
            ],
      ),
    );
    const changed = (first as { affectedRows: number }).affectedRows === 1;
    const paidNow = succeeded && (second as { affectedRows: number }).affectedRows === 1;
    const [row] = (succeeded ? rest[rest.length - 1] : second) as Record<string, unknown>[];
    const payment = row ? paymentFromRow(row) : undefined;
    if (!changed) {
      if (
        !payment ||
        payment.provider !== providerName ||
        (match.ref && payment.providerRef && payment.providerRef !== match.ref) ||
        payment.status === PaymentStatus.Pending
      ) {
        this.logger.warn({ paymentId, provider: providerName }, 'notification for an unknown payment');
        return null;
      }
      // Already applied: a duplicate or late notification posts nothing. A cancelled payment stays
      // cancelled when the provider declines it too.
      return payment.status === PaymentStatus.Cancelled ? PaymentStatus.Failed : payment.status;
    }
    if (!succeeded) {
      return PaymentStatus.Failed;
    }
    if (paidNow) {
      this.outbox.kick();
      this.events.changed({ orderId: owner.orderId, status: OrderStatus.Paid, paidAt: now });
      await this.lifecycle.changed({
        orderId: owner.orderId,
        channel: owner.channel,
        from: OrderStatus.PendingPayment,
        to: OrderStatus.Paid,
      });
    } else if (payment!.providerRef) {
      // Money arrived for an order that was cancelled meanwhile (or paid twice): give it back.
      const back = payment!;
      await this.providers
        .get(providerName)
        .refund(back.providerRef!, `auto-${back.id}`, back.amountFen)
        .then(() => this.payments.setFailureReason(back.id, 'refunded: the order was no longer payable'))
        .catch((e: unknown) =>
          this.logger.error({ paymentId: back.id, err: e as Error }, 'could not return a late payment'),
        );
    }
    return PaymentStatus.Captured;
  }

  /** Queries the provider for every payment pending longer than PAYMENT_RECOVERY_AFTER_SECONDS. */
  async recoverPending(): Promise<{ checked: number; captured: number; failed: number }> {
    const before = new Date(Date.now() - this.env.PAYMENT_RECOVERY_AFTER_SECONDS * 1000);
    const stale = await this.payments.pendingSince(before, 500);
    let captured = 0;
    let failed = 0;
    for (const p of stale) {
      const provider = this.providers.get(p.provider);
      if (!p.providerRef) {
        if (await this.payments.markFailed(p.id, 'never reached the provider', true)) {
          failed++;
        }
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
    if (!order.payBy) {
      // No deadline (charged after use, or invoiced): an unpaid balance stays until it is paid.
      return 'unchanged';
    }
    if (order.payBy.getTime() > Date.now()) {
      return 'early';
    }
    for (const p of await this.payments.pendingForOrder(orderId)) {
      if (p.providerRef) {
        const provider = this.providers.get(p.provider);
        const answer = await provider.query(p.providerRef);
        if ((await this.settle(p.id, answer.status, p.provider, p.providerRef)) === PaymentStatus.Captured) {
          return 'paid';
        }
        await provider.cancel(p.providerRef).catch(() => undefined);
      }
    }
    const cancelled = await withTransaction(this.db, async (em) => {
      const locked = await this.orders.requireOrder(orderId, em, true);
      const done = await this.orders.cancelUnpaid(em, locked);
      if (done) {
        await this.payments.cancelPendingOf(em, orderId);
      }
      return done;
    });
    if (cancelled) {
      this.events.changed({ orderId, status: OrderStatus.Cancelled, paidAt: null });
      await this.lifecycle.changed({
        orderId,
        channel: order.channel,
        from: OrderStatus.PendingPayment,
        to: OrderStatus.Cancelled,
      });
    }
    return cancelled ? 'cancelled' : 'unchanged';
  }
}
