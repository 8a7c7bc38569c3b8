import { Inject, Injectable, Logger } from '@nestjs/common';
import { CHANNELS } from '@/config/env';
import { businessDate } from '@/common/time';
import { PAYMENT_PROVIDERS, PaymentProvider } from '@/infrastructure/payments/payment-provider';
import { PaymentStatus } from '@/modules/orders/entities/payment.entity';
import { SettlementService } from '@/modules/orders/settlement.service';
import { AllocationService } from './allocation.service';
import { Discrepancy, ReconciliationEntity } from './entities/reconciliation.entity';
import { DateInFutureError, ReconciliationNotFoundError } from './errors';
import { ChannelFen, ReconciliationRepository } from './reconciliation.repository';

type Figures = { paymentsFen: number; paidOrdersFen: number; postedFen: number };

/**
 * Proves a business date: captured payments = paid orders = ledger postings, per channel; every paid line
 * has its entry; each provider's statement matches our payments. It heals what it can (allocates a line
 * that was missed, settles a payment the provider settled but never told us about) and reports the rest.
 */
@Injectable()
export class ReconciliationService {
  private readonly logger = new Logger(ReconciliationService.name);

  constructor(
    @Inject(ReconciliationRepository) private readonly repo: ReconciliationRepository,
    @Inject(AllocationService) private readonly allocation: AllocationService,
    @Inject(SettlementService) private readonly settlement: SettlementService,
    @Inject(PAYMENT_PROVIDERS) private readonly providers: Map<string, PaymentProvider>,
  ) {}

  /** Marks a date's reconciliation RUNNING (created when new) until the job stores its outcome. */
  markRunning(date: string): Promise<void> {
    return this.repo.markRunning(date);
  }

  /**
   * Asks for a reconciliation of a business date (Asia/Shanghai): marked RUNNING until the job reports. A
   * day that has not begun has nothing to reconcile and is refused (422 `date-in-future`); today is allowed
   * (the day so far).
   */
  async request(date: string): Promise<void> {
    if (date > businessDate()) {
      throw new DateInFutureError(date, businessDate());
    }
    await this.markRunning(date);
  }

  async get(date: string): Promise<ReconciliationEntity> {
    const r = await this.repo.findByDate(date);
    if (!r) {
      throw new ReconciliationNotFoundError(date);
    }
    return r;
  }

  async run(date: string): Promise<ReconciliationEntity> {
    await this.markRunning(date);
    const discrepancies: Discrepancy[] = [];

    // 1. Each provider's statement against our payments: settle what the provider settled without telling us.
    for (const provider of this.providers.values()) {
      const statement = (await provider.fetchStatement(date)).filter((l) => l.kind === 'PAYMENT');
      const ours = await this.repo.providerPayments(
        provider.name,
        date,
        statement.map((l) => l.ref),
      );
      const byRef = new Map(ours.map((p) => [p.ref, p]));
      for (const line of statement) {
        const p = byRef.get(line.ref);
        if (!p) {
          discrepancies.push({
            kind: 'statement-payment-unknown',
            detail: `${provider.name} settled ${line.ref} (${line.amountFen} fen) that we have no payment for`,
            expectedFen: line.amountFen,
            healed: false,
          });
        } else if (p.amountFen !== line.amountFen) {
          discrepancies.push({
            kind: 'statement-amount-mismatch',
            paymentId: p.id,
            detail: `${line.ref}: statement ${line.amountFen} fen, ours ${p.amountFen}`,
            expectedFen: line.amountFen,
            actualFen: p.amountFen,
            healed: false,
          });
        } else if (p.status === 'PENDING' || p.status === 'CANCELLED') {
          const outcome = await this.settlement.settle(p.id, 'SUCCEEDED', provider.name, line.ref);
          discrepancies.push({
            kind: 'payment-never-notified',
            paymentId: p.id,
            detail: `${line.ref} was settled by ${provider.name} but still ${p.status} here; now ${outcome}`,
            healed: outcome === PaymentStatus.Captured,
          });
        }
      }
      const settled = new Set(statement.map((l) => l.ref));
      for (const p of ours.filter((o) => o.status === 'CAPTURED' && !settled.has(o.ref))) {
        discrepancies.push({
          kind: 'payment-missing-from-statement',
          paymentId: p.id,
          detail: `${p.ref} is captured here but not on ${provider.name}'s statement`,
          actualFen: p.amountFen,
          healed: false,
        });
      }
    }

    // 2. Every paid line has its sale entry; allocate those that do not.
    const missing = await this.repo.unallocatedLines(date);
    for (const orderId of new Set(missing.map((m) => m.orderId))) {
      await this.allocation.allocateOrder(orderId);
    }
    for (const m of missing) {
      discrepancies.push({
        kind: 'missing-allocation',
        orderId: m.orderId,
        lineId: m.lineId,
        detail: `line ${m.lineId} had no sale entry; allocated now`,
        healed: true,
      });
    }

    // 3. The three totals, per channel.
    const byChannel: Record<string, Figures> = Object.fromEntries(
      CHANNELS.map((c) => [c, { paymentsFen: 0, paidOrdersFen: 0, postedFen: 0 }]),
    );
    const add = (rows: ChannelFen[], key: keyof Figures) =>
      rows.forEach(
        (r) => ((byChannel[r.channel] ??= { paymentsFen: 0, paidOrdersFen: 0, postedFen: 0 })[key] += r.fen),
      );
    const perChannel = await this.repo.channelTotals(date);
    add(perChannel.payments, 'paymentsFen');
    add(perChannel.paidOrders, 'paidOrdersFen');
    add(perChannel.posted, 'postedFen');
    for (const [channel, f] of Object.entries(byChannel)) {
      // Cash channels (fairs) have no payment; there the orders must still match the postings.
      const expectsPayment = channel !== 'FAIR' && channel !== 'PROCUREMENT';
      if ((expectsPayment && f.paymentsFen !== f.paidOrdersFen) || f.paidOrdersFen !== f.postedFen) {
        discrepancies.push({
          kind: 'totals-differ',
          channel,
          detail: `${channel}: payments ${f.paymentsFen}, paid orders ${f.paidOrdersFen}, posted ${f.postedFen} fen`,
          expectedFen: f.paidOrdersFen,
          actualFen: f.postedFen,
          healed: false,
        });
      }
    }
    const totals = Object.values(byChannel).reduce(
      (a, f) => ({
        paymentsFen: a.paymentsFen + f.paymentsFen,
        paidOrdersFen: a.paidOrdersFen + f.paidOrdersFen,
        postedFen: a.postedFen + f.postedFen,
      }),
      { paymentsFen: 0, paidOrdersFen: 0, postedFen: 0 },
    );
    const status = discrepancies.some((d) => !d.healed) ? 'DISCREPANCIES' : 'BALANCED';
    await this.repo.save({ date, status, ...totals, byChannel, discrepancies });
    if (status !== 'BALANCED') {
      this.logger.warn(
        `reconciliation ${date}: ${discrepancies.filter((d) => !d.healed).length} discrepancies left`,
      );
    }
    return this.get(date);
  }
}
