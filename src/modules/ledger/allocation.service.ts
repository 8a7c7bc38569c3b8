import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { MicroCache } from '@/common/micro-cache';
import { splitFen } from '@/common/money';
import { businessDate } from '@/common/time';
import { isDuplicateKey, withTransaction } from '@/infrastructure/database/transaction';
import { LotsService } from '@/modules/catalog/lots.service';
import { ChannelPolicies, CreditsAvailable } from '@/modules/orders/channel-policy';
import { Channel } from '@/modules/orders/entities/order.entity';
import { OrdersService } from '@/modules/orders/orders.service';
import { RefundsService } from '@/modules/orders/refunds.service';
import { LinkageType } from '@/modules/suppliers/entities/benefit-linkage.entity';
import { SupplierEntity } from '@/modules/suppliers/entities/supplier.entity';
import { SuppliersService } from '@/modules/suppliers/suppliers.service';
import { allocateLine, Beneficiary, LineFacts } from './allocation';
import { AccountType } from './entities/ledger-account.entity';
import { EntryKind } from './entities/journal-entry.entity';
import { IncomeSource } from './entities/posting.entity';
import { LedgerRepository } from './ledger.repository';
import { AccountKey, EntryInput, LedgerWriter, PostingInput } from './ledger.writer';

import { addDays } from '@/common/time';

export { addDays };

interface SupplierFacts {
  supplier: SupplierEntity;
  revenueShares: { householdId: string; shareBps: number }[];
  plotDividendBps: Map<string, number>;
}

/** Told of orders whose paid lines are all allocated. */
export type AllocatedListener = (orders: { orderId: string; channel: Channel }[]) => void | Promise<void>;

/**
 * Turns each paid line into one balanced journal entry (key `sale:<lineId>`): the payment clearing account
 * gives the line's amount; the platform, the households and the supplier receive their shares. A refund
 * reverses in the same proportions: a credit still pending is voided on its own date, one already available
 * is reversed today, and a household whose balance would go below zero passes the shortfall to the supplier.
 */
@Injectable()
export class AllocationService {
  private readonly logger = new Logger(AllocationService.name);
  private readonly allocatedListeners: AllocatedListener[] = [];
  // Lots' sources and suppliers' agreements change rarely; a short cache keeps allocation from re-reading them.
  private readonly sources = new MicroCache<{ householdId: string; quantity: number }[]>(5000, 20_000);
  private readonly suppliersCache = new MicroCache<SupplierFacts>(5000);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(LedgerRepository) private readonly ledger: LedgerRepository,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(RefundsService) private readonly refunds: RefundsService,
    @Inject(LotsService) private readonly catalog: LotsService,
    @Inject(SuppliersService) private readonly suppliers: SuppliersService,
    @Inject(ChannelPolicies) private readonly policies: ChannelPolicies,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /**
   * When a channel's credits become AVAILABLE for a sale paid on `paidDate`: after its refund window, or, for
   * a channel whose orders are settled when the buyer accepts the goods (procurement), on that very day.
   */
  availableOn(channel: Channel, paidDate: string): string | null {
    const policy = this.policies.of(channel);
    if (policy.creditsAvailable === CreditsAvailable.OnAcceptance) {
      return paidDate;
    }
    return addDays(paidDate, policy.refundWindowDays);
  }

  private supplierFacts(supplierId: string): Promise<SupplierFacts> {
    return this.suppliersCache.get(supplierId, async () => {
      const [supplier] = [...(await this.suppliers.findMany([supplierId])).values()];
      const linkages = await this.suppliers.activeLinkages(
        [LinkageType.RevenueShare, LinkageType.PlotContract],
        supplierId,
      );
      return {
        supplier,
        revenueShares: linkages
          .filter((l) => l.type === LinkageType.RevenueShare && l.householdId)
          .map((l) => ({ householdId: l.householdId!, shareBps: l.shareBps! })),
        // During a season dividends are paid at the first tier; closing the season trues them up.
        plotDividendBps: new Map(
          linkages
            .filter((l) => l.type === LinkageType.PlotContract && l.householdId && l.dividendTiers?.length)
            .map((l) => [l.householdId!, l.dividendTiers![0].shareBps]),
        ),
      };
    });
  }

  /** Allocates every paid line of an order not allocated yet; returns how many entries it wrote. */
  allocateOrder(orderId: string): Promise<number> {
    return this.allocateOrders([orderId]);
  }

  /**
   * Allocates every paid line of these orders not allocated yet, in two round trips whatever their number
   * (one read, one batch of inserts); returns how many entries it wrote.
   */
  async allocateOrders(orderIds: string[]): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.allocateOnce(orderIds);
      } catch (e) {
        // Another worker posted the same line at the same moment: run again, it is skipped now.
        if (!isDuplicateKey(e) || attempt >= 2) {
          throw e;
        }
      }
    }
  }

  private async allocateOnce(orderIds: string[]): Promise<number> {
    const orders = await this.orders.paidForAllocation(orderIds);
    const held = await this.ledger.heldOrders([...orders.keys()]);
    const lotIds = [
      ...new Set([...orders.values()].flatMap((o) => o.lines.flatMap((l) => (l.lotId ? [l.lotId] : [])))),
    ];
    const sources = await this.sources.getMany(lotIds, (missing) => this.catalog.sourcesOf(missing), []);
    const entries: EntryInput[] = [];
    for (const [orderId, order] of orders) {
      const lines = order.lines;
      const clearing: AccountKey = { type: AccountType.PaymentClearing, ownerId: order.provider ?? 'cash' };
      // A disputed sale's credits are held (pending, no date) until the dispute is decided.
      const availableOn = held.has(orderId) ? null : this.availableOn(order.channel, order.paidDate);
      for (const line of lines) {
        const feeBps = this.env.PLATFORM_FEE_BPS[order.channel] ?? 0;
        // A household that sold at its own stall earns the whole line, as a household supplier with no lot.
        const facts: LineFacts = line.householdId
          ? {
              amountFen: line.amountFen,
              feeBps,
              supplierType: 'HOUSEHOLD',
              supplierHouseholdId: line.householdId,
              sources: [],
              revenueShares: [],
              plotDividendBps: new Map(),
            }
          : await this.lotLineFacts(line.amountFen, feeBps, line.supplierId!, sources.get(line.lotId!) ?? []);
        const postings: PostingInput[] = [
          {
            account: clearing,
            amountFen: -line.amountFen,
            source: IncomeSource.Sale,
            availableOn: order.paidDate,
            lotId: line.lotId,
            supplierId: line.supplierId,
          },
        ];
        for (const share of allocateLine(facts)) {
          postings.push({
            account: this.accountOf(share.to, line.supplierId!),
            amountFen: share.amountFen,
            source: share.source,
            availableOn: share.to.kind === 'HOUSEHOLD' ? availableOn : order.paidDate,
            lotId: line.lotId,
            supplierId: line.supplierId,
            baseFen: share.baseFen ?? null,
            rateBps: share.rateBps ?? null,
          });
        }
        entries.push({
          key: `sale:${line.id}`,
          kind: EntryKind.Sale,
          businessDate: order.paidDate,
          orderId,
          orderLineId: line.id,
          channel: order.channel,
          postings,
        });
        if (line.householdId) {
          // Sold at the household's own stall: it took the cash there. The sale is its income, and the same
          // day it is paid out (to itself), so no payout batch pays it a second time.
          const own = postings
            .filter((p) => p.account.type === AccountType.Household)
            .reduce((a, p) => a + p.amountFen, 0);
          entries.push({
            key: `stall:${line.id}`,
            kind: EntryKind.Payout,
            businessDate: order.paidDate,
            orderId,
            orderLineId: line.id,
            channel: order.channel,
            memo: 'taken in cash at the stall',
            postings: [
              {
                account: this.accountOf({ kind: 'HOUSEHOLD', householdId: line.householdId }, ''),
                amountFen: -own,
                source: IncomeSource.Payout,
                availableOn: order.paidDate,
              },
              { account: clearing, amountFen: own, source: IncomeSource.Payout, availableOn: order.paidDate },
            ],
          });
        }
      }
    }
    // One round trip: the entries and their postings, committed together.
    const written = await this.writer.postAlone(entries);
    await this.tellAllocated([...orders].map(([orderId, o]) => ({ orderId, channel: o.channel })));
    return written;
  }

  /**
   * Listens for orders whose every paid line is allocated (told after the commit, on every run, so a listener
   * must be idempotent). A channel that tells its buyer how much reached households (a cabinet's SMS
   * receipt) listens here; the ledger itself knows no channel.
   */
  onAllocated(listener: AllocatedListener): void {
    this.allocatedListeners.push(listener);
  }

  private async tellAllocated(orders: { orderId: string; channel: Channel }[]): Promise<void> {
    if (!orders.length) {
      return;
    }
    for (const listener of this.allocatedListeners) {
      try {
        await listener(orders);
      } catch (err) {
        this.logger.error({ err, orderIds: orders.map((o) => o.orderId) }, 'an allocation listener failed');
      }
    }
  }

  /** The facts of a line of goods from a supply lot: its supplier's type and linkages, the lot's sources. */
  private async lotLineFacts(
    amountFen: number,
    feeBps: number,
    supplierId: string,
    sources: LineFacts['sources'],
  ): Promise<LineFacts> {
    const s = await this.supplierFacts(supplierId);
    return {
      amountFen,
      feeBps,
      supplierType: s.supplier.type,
      supplierHouseholdId: s.supplier.householdId,
      sources,
      revenueShares: s.revenueShares,
      plotDividendBps: s.plotDividendBps,
    };
  }

  private accountOf(to: Beneficiary, supplierId: string): AccountKey {
    switch (to.kind) {
      case 'HOUSEHOLD':
        return { type: AccountType.Household, ownerId: to.householdId };
      case 'SUPPLIER':
        return { type: AccountType.Supplier, ownerId: supplierId };
      case 'PLATFORM':
        return { type: AccountType.Platform, ownerId: 'platform' };
    }
  }

  /**
   * Holds the household credits of a disputed sale: those still PENDING, and those the sale has not posted
   * yet, stay pending until `releaseCredits`, so a dispute decided after the refund window never takes back
   * income already paid out. Returns how many posted credits it held.
   */
  holdCredits(orderId: string): Promise<number> {
    return this.ledger.holdPendingCredits(orderId, businessDate());
  }

  /**
   * Releases an order's held credits when its dispute is decided: AVAILABLE when the channel's refund window
   * after payment closes, or today if that has passed.
   */
  async releaseCredits(orderId: string): Promise<number> {
    const order = (await this.orders.paidForAllocation([orderId])).get(orderId);
    if (!order) {
      // Refunded in full meanwhile: its credits were voided, nothing is held.
      return 0;
    }
    const due = this.availableOn(order.channel, order.paidDate);
    const today = businessDate();
    return this.ledger.releaseHeldCredits(orderId, due === null || due < today ? today : due);
  }

  /** Reverses a refund's lines in the proportions of their sale entries. */
  async reverseRefund(refundId: string): Promise<number> {
    const refund = await this.refunds.getRefund(refundId);
    if (!refund) {
      return 0;
    }
    await this.allocateOrder(refund.orderId); // the sale must be on the books before it is reversed
    const today = businessDate();
    return withTransaction(this.db, async (em) => {
      const entries: EntryInput[] = [];
      for (const { lineId, amountFen } of refund.lineAmounts) {
        const original = await this.ledger.postingsOfEntry(em, `sale:${lineId}`);
        if (original.length === 0) {
          throw new Error(`sale entry of line ${lineId} is missing; the refund waits for it`);
        }
        const gains = original.filter((p) => p.amountFen > 0);
        const parts = splitFen(
          amountFen,
          gains.map((p) => p.amountFen),
        );
        const postings: PostingInput[] = [];
        let shortfall = 0;
        for (const [i, p] of gains.entries()) {
          let take = parts[i];
          // Pending: void it on its own date. Available: reverse it today.
          const pending = p.availableOn === null || p.availableOn > today;
          if (!pending && p.account.type === AccountType.Household) {
            const balance = await this.writer.availableBalance(em, p.accountId, today);
            if (balance < take) {
              shortfall += take - Math.max(0, balance);
              take = Math.max(0, balance);
            }
          }
          if (take > 0) {
            postings.push({
              account: p.account,
              amountFen: -take,
              source: p.source,
              channel: p.channel,
              availableOn: pending ? p.availableOn : today,
              lotId: p.lotId,
              supplierId: p.supplierId,
            });
          }
        }
        if (shortfall > 0) {
          const s = original[0];
          postings.push({
            // Every posting of a sale entry names the line's supplier.
            account: { type: AccountType.Supplier, ownerId: s.supplierId! },
            amountFen: -shortfall,
            source: IncomeSource.Sale,
            availableOn: today,
            lotId: s.lotId,
            supplierId: s.supplierId,
          });
        }
        const c = original.find((p) => p.amountFen < 0)!;
        postings.push({
          account: c.account,
          amountFen: amountFen,
          source: IncomeSource.Sale,
          availableOn: today,
          lotId: c.lotId,
          supplierId: c.supplierId,
        });
        entries.push({
          key: `refund:${refundId}:${lineId}`,
          kind: EntryKind.Refund,
          businessDate: today,
          orderId: refund.orderId,
          orderLineId: lineId,
          channel: c.channel,
          postings,
        });
      }
      return this.writer.post(em, entries);
    });
  }
}
