import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuthUser } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { withTransaction } from '@/infrastructure/database/transaction';
import { isStockTaken, StockService } from '@/modules/catalog/stock.service';
import { AllocationService } from '@/modules/ledger/allocation.service';
import { OrderStatus } from '@/modules/orders/entities/order.entity';
import { OutOfStockError } from '@/modules/orders/errors';
import { OrdersService } from '@/modules/orders/orders.service';
import { RefundsService } from '@/modules/orders/refunds.service';
import { CabinetsRepository } from './cabinets.repository';
import { CabinetsService } from './cabinets.service';
import { KioskSessionView, ResolveDto } from './dto/kiosk.dto';
import { CabinetSlotEntity } from './entities/cabinet-slot.entity';
import {
  Correction,
  KioskSessionEntity,
  SessionItem,
  SessionKind,
  SessionStatus,
} from './entities/kiosk-session.entity';
import { PaymentInFlightError, SessionNotInReviewError } from './errors';
import { KioskSettlementService } from './kiosk-settlement.service';
import { KioskSessionsService } from './sessions.service';
import { SessionsRepository } from './sessions.repository';

/**
 * The operator's decision on a session in review, with the items actually taken. A session never charged is
 * charged for them (or closed when nothing was taken). A disputed purchase is corrected at the prices it was
 * charged: units not taken are refunded, units taken beyond the charge are charged as a further order at
 * today's price, and the slots' records follow the goods. A restocking session's items are the units put in.
 * The session leaves review first (so two operators never both act); if the money cannot move, it goes back
 * to review and nothing else stays changed.
 */
@Injectable()
export class KioskResolutionService {
  private readonly logger = new Logger(KioskResolutionService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(KioskSessionsService) private readonly views: KioskSessionsService,
    @Inject(KioskSettlementService) private readonly settlement: KioskSettlementService,
    @Inject(CabinetsRepository) private readonly cabinetRows: CabinetsRepository,
    @Inject(CabinetsService) private readonly cabinets: CabinetsService,
    @Inject(StockService) private readonly stock: StockService,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(RefundsService) private readonly refunds: RefundsService,
    @Inject(AllocationService) private readonly allocation: AllocationService,
  ) {}

  async resolve(user: AuthUser, id: string, dto: ResolveDto): Promise<KioskSessionView> {
    const s = await this.views.requireSession(id);
    if (s.status !== SessionStatus.Review) {
      throw new SessionNotInReviewError(s.status);
    }
    const slots = new Map((await this.cabinets.slotsOf(s.cabinetId)).map((x) => [x.slotNo, x]));
    const charged = new Map((s.items ?? []).map((i) => [i.slotNo, i]));
    const wanted = new Map<number, number>();
    for (const [i, item] of dto.items.entries()) {
      if (!slots.has(item.slotNo) && !charged.has(item.slotNo)) {
        throw new ValidationFailedError([
          { field: `items[${i}].slotNo`, message: 'slotNo must name a slot of the cabinet' },
        ]);
      }
      if (item.quantity > 0) {
        wanted.set(item.slotNo, (wanted.get(item.slotNo) ?? 0) + item.quantity);
      }
    }
    const slotOf = (slotNo: number) =>
      ({
        slotNo,
        productId: charged.get(slotNo)?.productId ?? slots.get(slotNo)!.productId,
        lotId: charged.get(slotNo)?.lotId ?? slots.get(slotNo)!.lotId,
      }) as CabinetSlotEntity;
    const decided = { resolvedBy: user.id, resolutionNote: dto.note };
    if (s.kind === SessionKind.Restock) {
      await this.restock(s, wanted, slots, decided);
    } else if (!s.orderId) {
      await this.chargeFirstTime(s, wanted, slotOf, decided);
    } else {
      await this.correct(s, charged, wanted, slotOf, decided);
    }
    return this.views.view((await this.sessions.find(id))!);
  }

  /** Leaves review for `patch`, running `alsoIn` in the same transaction; 409 when another operator won. */
  private async leaveReview(
    id: string,
    patch: Partial<KioskSessionEntity> & { status: SessionStatus },
    alsoIn?: (em: EntityManager) => Promise<void>,
  ): Promise<void> {
    const won = await withTransaction(this.db, async (em) => {
      const moved = await this.sessions.transition(id, [SessionStatus.Review], patch, em);
      if (moved && alsoIn) {
        await alsoIn(em);
      }
      return moved;
    });
    if (!won) {
      throw new SessionNotInReviewError('decided by someone else meanwhile');
    }
  }

  /** A restocking session: the items are the units put in, taken from the slot's lot (or the one chosen). */
  private async restock(
    s: KioskSessionEntity,
    wanted: Map<number, number>,
    slots: Map<number, CabinetSlotEntity>,
    decided: Partial<KioskSessionEntity>,
  ): Promise<void> {
    const items: SessionItem[] = [...wanted].map(([slotNo, quantity]) => ({
      slotNo,
      productId: slots.get(slotNo)!.productId,
      lotId: s.restock?.lots[String(slotNo)] ?? slots.get(slotNo)!.lotId,
      quantity,
      unitPriceFen: 0,
      amountFen: 0,
    }));
    await this.leaveReview(s.id, { status: SessionStatus.Settled, ...decided, items }, async (em) => {
      for (const i of items) {
        try {
          await this.stock.takeStock(em, i.lotId, i.quantity);
        } catch (e) {
          throw isStockTaken(e)
            ? new OutOfStockError(
                `The lot holds fewer than the ${i.quantity} units put into slot ${i.slotNo}.`,
              )
            : e;
        }
        await this.cabinetRows.putIntoSlot(em, s.cabinetId, i.slotNo, i.quantity, i.lotId);
      }
    });
  }

  /** Never charged (weights the rule could not read, a lost session): charge what was taken, or close. */
  private async chargeFirstTime(
    s: KioskSessionEntity,
    wanted: Map<number, number>,
    slotOf: (slotNo: number) => CabinetSlotEntity,
    decided: Partial<KioskSessionEntity>,
  ): Promise<void> {
    const priced = await this.priced(
      [...wanted].map(([slotNo, quantity]) => ({ slot: slotOf(slotNo), quantity })),
    );
    if (!priced.items.length) {
      await this.leaveReview(s.id, { status: SessionStatus.Cancelled, ...decided, items: [], totalFen: 0 });
      return;
    }
    await this.leaveReview(
      s.id,
      {
        status: SessionStatus.Settled,
        ...decided,
        items: priced.items,
        totalFen: priced.totalFen,
        orderId: s.id,
        chargedAt: null,
        closedAt: s.closedAt ?? new Date(),
      },
      (em) => this.settlement.takeFromSlots(em, s, priced.items),
    );
    // A failure from here on leaves the session SETTLED and not charged: the watchdog charges it.
    await this.settlement.placeAndCharge(s, s.id, priced.items);
  }

  /**
   * A disputed purchase: corrected by the difference, at the prices it was charged. The session leaves review
   * with the items as decided and the slots' records follow the goods; what must happen with money is kept
   * as its correction and then applied (see `applyCorrection`).
   */
  private async correct(
    s: KioskSessionEntity,
    charged: Map<number, SessionItem>,
    wanted: Map<number, number>,
    slotOf: (slotNo: number) => CabinetSlotEntity,
    decided: Partial<KioskSessionEntity>,
  ): Promise<void> {
    const kept: SessionItem[] = [];
    const more: { slot: CabinetSlotEntity; quantity: number }[] = [];
    const moves = new Map<number, number>(); // slotNo → units back into the slot (negative: taken out)
    for (const slotNo of [...new Set([...charged.keys(), ...wanted.keys()])].sort((a, b) => a - b)) {
      const was = charged.get(slotNo);
      const had = was?.quantity ?? 0;
      const want = wanted.get(slotNo) ?? 0;
      if (was && Math.min(had, want) > 0) {
        const q = Math.min(had, want);
        kept.push({ ...was, quantity: q, amountFen: was.unitPriceFen * q });
      }
      if (want > had) {
        more.push({ slot: slotOf(slotNo), quantity: want - had });
      }
      moves.set(slotNo, had - want);
    }
    const extra = (await this.priced(more)).items;
    const items = [...kept, ...extra];
    const order = await this.orders.requireOrder(s.orderId!);
    if (order.status === OrderStatus.PendingPayment && (await this.orders.paymentUnderWay(order.id))) {
      throw new PaymentInFlightError();
    }
    const correction: Correction = {
      orderId: order.id,
      keptFen: kept.reduce((a, i) => a + i.amountFen, 0),
      kept,
      extraOrderId: extra.length ? newId() : null,
      extraItems: extra,
      replacementOrderId: order.status === OrderStatus.PendingPayment && items.length ? newId() : null,
    };
    await this.leaveReview(
      s.id,
      {
        status: SessionStatus.Settled,
        ...decided,
        items,
        totalFen: items.reduce((a, i) => a + i.amountFen, 0),
        correction,
        correctionDoneAt: null,
      },
      async (em) => {
        for (const [slotNo, back] of moves) {
          if (back > 0) {
            await this.cabinetRows.putIntoSlot(em, s.cabinetId, slotNo, back);
          } else if (back < 0) {
            await this.cabinetRows.takeFromSlot(em, s.cabinetId, slotNo, -back);
          }
        }
      },
    );
    // Applied now; if a step fails, the decision stands and the watchdog applies what is missing.
    await this.applyCorrection(s.id).catch((e: unknown) =>
      this.logger.warn(
        { sessionId: s.id, err: e as Error },
        'a cabinet correction will be retried by the watchdog',
      ),
    );
  }

  /**
   * Applies a decided correction, exactly once whatever fails or runs twice: each step reads the state and
   * does only what is missing. An unpaid order is cancelled and replaced by one for every item; a paid one is
   * refunded down to what the citizen keeps (`keptFen`, less what was refunded already) and the units taken
   * beyond the charge are charged as the further order (its id fixed at the decision, so placing it twice
   * finds the first); then the sale's held credits are released. One corrector at a time (a lease).
   */
  async applyCorrection(sessionId: string): Promise<boolean> {
    if (!(await this.sessions.leaseCorrection(sessionId, 60_000))) {
      return false;
    }
    let done = false;
    try {
      const s = (await this.sessions.find(sessionId))!;
      const c = s.correction!;
      let order = await this.orders.requireOrder(c.orderId);
      if (c.replacementOrderId !== null || order.status === OrderStatus.PendingPayment) {
        if (order.status === OrderStatus.PendingPayment && !(await this.cancelUnpaid(order.id))) {
          order = await this.orders.requireOrder(c.orderId); // paid meanwhile: corrected as paid below
        }
      }
      if (order.status === OrderStatus.Cancelled) {
        if (c.replacementOrderId && s.items?.length) {
          if (s.orderId !== c.replacementOrderId) {
            await this.sessions.update(s.id, { orderId: c.replacementOrderId, chargedAt: null });
          }
          await this.settlement.placeAndCharge(s, c.replacementOrderId, s.items);
        }
      } else {
        const refundFen = order.totalFen - c.keptFen - order.refundedFen;
        if (refundFen > 0) {
          // To each line, what is left on it beyond what the citizen keeps of its product and lot.
          const keptOf = (productId: string | null, lotId: string | null) =>
            (c.kept ?? [])
              .filter((k) => k.productId === productId && k.lotId === lotId)
              .reduce((a, k) => a + k.amountFen, 0);
          const claimed = new Map<string, number>();
          await this.refunds.refund(order.id, refundFen, 'cabinet dispute resolved', (line) => {
            const key = `${line.productId}/${line.lotId}`;
            const keep = Math.max(0, keptOf(line.productId, line.lotId) - (claimed.get(key) ?? 0));
            const left = line.amountFen - line.refundedFen;
            claimed.set(key, (claimed.get(key) ?? 0) + Math.min(keep, left));
            return left - Math.min(keep, left);
          });
        }
        if (c.extraOrderId) {
          await this.settlement.placeAndCharge(s, c.extraOrderId, c.extraItems);
        }
        // Decided: what the households keep of the sale becomes available as the refund window says.
        await this.allocation.releaseCredits(order.id);
      }
      done = true;
      return true;
    } finally {
      await this.sessions.endCorrection(sessionId, done);
    }
  }

  /** Cancels an order still unpaid; false when it was paid meanwhile (then it is corrected as paid). */
  private async cancelUnpaid(orderId: string): Promise<boolean> {
    return withTransaction(this.db, async (em) => {
      const locked = await this.orders.requireOrder(orderId, em, true);
      return this.orders.cancelUnpaid(em, locked);
    });
  }

  private async priced(taken: { slot: CabinetSlotEntity; quantity: number }[]) {
    const p = await this.settlement.price(taken);
    if ('problem' in p) {
      throw new ValidationFailedError([{ field: 'items', message: p.problem }]);
    }
    return p;
  }
}
