import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { newId } from '@/common/ids';
import { splitFen } from '@/common/money';
import { businessDate } from '@/common/time';
import { withTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { LedgerInboxJobName } from './jobs/orders.job-definitions';
import { OrderEntity, OrderStatus } from './entities/order.entity';
import { OrderLineEntity } from './entities/order-line.entity';
import { OrderNotRefundableError, RefundExceedsPaymentError } from './errors';
import { RefundEntity } from './entities/refund.entity';
import { OrderLifecycle } from './order-lifecycle';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { PaymentProviders } from './payment-providers';
import { PaymentsRepository } from './payments.repository';

/** Refunds: part or all of a paid order goes back to the buyer, and the ledger reverses its allocation. */
@Injectable()
export class RefundsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(PaymentsRepository) private readonly payments: PaymentsRepository,
    @Inject(PaymentProviders) private readonly providers: PaymentProviders,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(OrdersRepository) private readonly orderRows: OrdersRepository,
    @Inject(OrderLifecycle) private readonly lifecycle: OrderLifecycle,
    @Inject(OutboxService) private readonly outbox: OutboxService,
  ) {}

  /**
   * Refunds part or all of a paid order, spread over its lines in proportion to what is left of each, or to
   * `weightOf(line)` when the caller knows which lines the money is for (a cabinet dispute about one slot):
   * the ledger then reverses the households behind those lines only. `refundedElsewhere` records a refund a
   * platform already made (its reference), without asking a provider of ours.
   */
  async refund(
    orderId: string,
    amountFen: number,
    reason: string,
    weightOf?: (line: OrderLineEntity) => number,
    refundedElsewhere?: string,
  ): Promise<RefundEntity> {
    const refund = new RefundEntity();
    refund.id = newId();
    let change: { from: OrderStatus; to: OrderStatus; channel: OrderEntity['channel'] } | undefined;
    // The order row stays locked from the check to the commit, so concurrent refunds cannot together exceed
    // the payment; the provider's refund is keyed by the refund id, so a retried transaction refunds once.
    const saved = await withTransaction(this.db, async (em) => {
      const locked = await this.orders.requireOrder(orderId, em, true);
      const refunded = locked.refundedFen + amountFen;
      const to = refunded === locked.totalFen ? OrderStatus.Refunded : OrderStatus.PartiallyRefunded;
      if (!this.lifecycle.can(locked.status, to, locked.channel)) {
        throw new OrderNotRefundableError(`The order is ${locked.status}.`);
      }
      if (amountFen > locked.totalFen - locked.refundedFen) {
        throw new RefundExceedsPaymentError(locked.totalFen - locked.refundedFen);
      }
      const payment = await this.payments.capturedFor(em, orderId);
      if (!payment?.providerRef) {
        throw new OrderNotRefundableError('The order has no captured payment.');
      }
      await this.lifecycle.assertTransition({ orderId, channel: locked.channel, from: locked.status, to });
      const answer = refundedElsewhere
        ? { ref: refundedElsewhere }
        : await this.providers.get(payment.provider).refund(payment.providerRef, refund.id, amountFen);
      const lines = await this.orders.linesOf(orderId, em);
      const left = lines.map((l) => l.amountFen - l.refundedFen);
      const weights = weightOf ? lines.map((l, i) => Math.max(0, Math.min(weightOf(l), left[i]))) : left;
      // Weights that cover nothing (or a caller's mistake) fall back to the proportional split.
      const parts = splitFen(amountFen, weights.some((w) => w > 0) ? weights : left);
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
      await this.payments.insertRefund(em, refund);
      await this.orderRows.applyRefund(
        em,
        orderId,
        { refundedFen: refunded, status: to },
        lines.flatMap((l, i) => (parts[i] > 0 ? [{ id: l.id, refundedFen: l.refundedFen + parts[i] }] : [])),
      );
      await this.outbox.add(em, LedgerInboxJobName.ReverseRefund, { refundId: refund.id });
      change = { from: locked.status, to, channel: locked.channel };
      return refund;
    });
    this.outbox.kick();
    if (change) {
      await this.lifecycle.changed({ orderId, ...change });
    }
    return saved;
  }

  getRefund(id: string): Promise<RefundEntity | null> {
    return this.payments.findRefund(id);
  }
}
