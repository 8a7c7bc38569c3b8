import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { AuthUser } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { newId } from '@/common/ids';
import { BatchPool } from '@/infrastructure/database/batch-pool';
import { isDuplicateKey, withBatchTransaction, withTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { isStockTaken, StockService } from '@/modules/catalog/stock.service';
import { AgreementsService } from '@/modules/orders/agreements.service';
import { Channel, OrderStatus } from '@/modules/orders/entities/order.entity';
import { OrdersService } from '@/modules/orders/orders.service';
import { PaymentStartService } from '@/modules/orders/payment-start.service';
import { RefundsService } from '@/modules/orders/refunds.service';
import { CabinetsRepository } from './cabinets.repository';
import { CabinetsService } from './cabinets.service';
import { CabinetEvent, DeviceGateway } from './device/device-gateway.service';
import { CabinetEventType, SlotWeight } from './device/protocol';
import { KioskSessionView, ResolveDto } from './dto/kiosk.dto';
import { CabinetSlotEntity } from './entities/cabinet-slot.entity';
import { AlertKind } from './entities/kiosk-alert.entity';
import {
  KioskSessionEntity,
  ReasonCode,
  SessionItem,
  SessionKind,
  SessionStatus,
} from './entities/kiosk-session.entity';
import { SessionNotInReviewError } from './errors';
import { KioskJobName } from './jobs/kiosk.job-definitions';
import { KioskSessionsService } from './sessions.service';
import { SessionsRepository } from './sessions.repository';
import { weigh, weighRestock } from './settle';

/** How long a DOOR_CLOSED waits for its session's DOOR_OPENED (handled by another copy) before review. */
const OPENED_WAIT_MS = 3000;

/**
 * What the cabinets report, applied: the door opened (weights before), the door closed (weights after →
 * items → a KIOSK order charged through the citizen's agreement, or review, or nothing), faults; and the
 * operator's resolution of a session in review. Every change of a session is conditional on the status it
 * leaves, so a repeated or replayed event changes nothing and is never charged twice.
 */
@Injectable()
export class KioskSettlementService implements OnModuleInit {
  private readonly logger = new Logger(KioskSettlementService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(BatchPool) private readonly batch: BatchPool,
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(KioskSessionsService) private readonly sessionViews: KioskSessionsService,
    @Inject(CabinetsRepository) private readonly cabinetRows: CabinetsRepository,
    @Inject(CabinetsService) private readonly cabinets: CabinetsService,
    @Inject(DeviceGateway) private readonly gateway: DeviceGateway,
    @Inject(OutboxService) private readonly outbox: OutboxService,
    @Inject(StockService) private readonly stock: StockService,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(PaymentStartService) private readonly payments: PaymentStartService,
    @Inject(RefundsService) private readonly refunds: RefundsService,
    @Inject(AgreementsService) private readonly agreements: AgreementsService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.gateway.onEvent((e) => this.onEvent(e));
  }

  async onEvent(e: CabinetEvent): Promise<void> {
    switch (e.type) {
      case CabinetEventType.DoorOpened:
        return this.doorOpened(e.cabinet.id, e.sessionId!, e.slots!);
      case CabinetEventType.DoorClosed:
        return this.doorClosed(e.cabinet.id, e.sessionId!, e.slots!);
      case CabinetEventType.Fault:
        await this.cabinets.fault(e.cabinet, e.reason!);
        this.logger.warn(
          { cabinet: e.cabinet.code, reason: e.reason },
          'cabinet fault: in maintenance until cleared',
        );
        return;
      case CabinetEventType.Heartbeat:
        return;
    }
  }

  /** The door opened: the weights before, and the timers for a door left open or a session lost. */
  async doorOpened(cabinetId: string, sessionId: string, slots: SlotWeight[]): Promise<void> {
    const now = new Date();
    // One round trip: the session opens if it is this cabinet's, still unlocking and not expired (a second
    // of grace for the clocks), and only then are its two timers written.
    const [opened] = (await withBatchTransaction(this.batch, (tx) =>
      tx.commit([
        this.sessions.openStatement(sessionId, cabinetId, now, slots, new Date(now.getTime() - 1000)),
        this.outbox.statement(
          KioskJobName.DoorAlert,
          { sessionId },
          {
            runAt: new Date(now.getTime() + this.env.KIOSK_DOOR_ALERT_SECONDS * 1000),
            ifPreviousChanged: true,
          },
        ),
        this.outbox.statement(
          KioskJobName.SessionLost,
          { sessionId },
          {
            runAt: new Date(now.getTime() + this.env.KIOSK_SESSION_LOST_SECONDS * 1000),
            ifPreviousChanged: true,
          },
        ),
      ]),
    )) as { affectedRows: number }[];
    if (opened.affectedRows === 1) {
      this.outbox.kick();
    }
  }

  /** The door closed: settles the session by its kind. A repeat finds it settled and changes nothing. */
  async doorClosed(cabinetId: string, sessionId: string, after: SlotWeight[]): Promise<void> {
    let s = await this.sessions.find(sessionId);
    if (!s || s.cabinetId !== cabinetId) {
      return;
    }
    // DOOR_OPENED may be in another copy's hands still (shared subscription): wait for it a little.
    for (let waited = 0; s.status === SessionStatus.Unlocking && waited < OPENED_WAIT_MS; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      s = (await this.sessions.find(sessionId))!;
    }
    if (s.status === SessionStatus.Unlocking) {
      await this.sessions.transition(sessionId, [SessionStatus.Unlocking], {
        status: SessionStatus.Review,
        closedAt: new Date(),
        weightsAfter: after,
        reviewReason: 'the door closed without a DOOR_OPENED (no weights before)',
        reasonCode: ReasonCode.NoDoorOpened,
        evidence: { slots: [], candidateItems: [] },
      });
      return;
    }
    if (s.status !== SessionStatus.Open) {
      return;
    }
    if (s.kind === SessionKind.Restock) {
      return this.restockClosed(s, after);
    }
    return this.saleClosed(s, after);
  }

  private async saleClosed(s: KioskSessionEntity, after: SlotWeight[]): Promise<void> {
    const now = new Date();
    const slots = await this.cabinets.slotsOf(s.cabinetId);
    const outcome = weigh(slots, s.weightsBefore ?? [], after);
    if (outcome.kind === 'REVIEW') {
      await this.sessions.transition(s.id, [SessionStatus.Open], {
        status: SessionStatus.Review,
        closedAt: now,
        weightsAfter: after,
        reviewReason: outcome.reason,
        reasonCode: outcome.code,
        evidence: outcome.evidence,
      });
      return;
    }
    if (outcome.kind === 'NOTHING') {
      await this.sessions.transition(s.id, [SessionStatus.Open], {
        status: SessionStatus.Cancelled,
        closedAt: now,
        weightsAfter: after,
        evidence: outcome.evidence,
      });
      return;
    }
    const bySlot = new Map(slots.map((x) => [x.slotNo, x]));
    const priced = await this.price(
      outcome.items.map((i) => ({ slot: bySlot.get(i.slotNo)!, quantity: i.quantity })),
    );
    if ('problem' in priced) {
      await this.sessions.transition(s.id, [SessionStatus.Open], {
        status: SessionStatus.Review,
        closedAt: now,
        weightsAfter: after,
        reviewReason: priced.problem,
        reasonCode: ReasonCode.NotCertified,
        evidence: outcome.evidence,
      });
      return;
    }
    const won = await withTransaction(this.db, async (em) => {
      const moved = await this.sessions.transition(
        s.id,
        [SessionStatus.Open],
        {
          status: SessionStatus.Settled,
          closedAt: now,
          weightsAfter: after,
          evidence: outcome.evidence,
          items: priced.items,
          totalFen: priced.totalFen,
          orderId: s.id,
        },
        em,
      );
      if (moved) {
        await this.takeFromSlots(em, s, priced.items);
      }
      return moved;
    });
    if (won) {
      await this.placeAndCharge(s, s.id, priced.items);
    }
  }

  /** Prices items at the products' prices; a product no longer certified (or gone) is a problem for review. */
  private async price(
    taken: { slot: CabinetSlotEntity; quantity: number }[],
  ): Promise<{ items: SessionItem[]; totalFen: number } | { problem: string }> {
    if (!taken.length) {
      return { items: [], totalFen: 0 };
    }
    const { products } = await this.stock.planOrder(
      taken.map((t) => ({ productId: t.slot.productId, quantity: 0 })),
    );
    const items: SessionItem[] = [];
    for (const t of taken) {
      const p = products.get(t.slot.productId);
      if (!p || !p.certified) {
        return {
          problem: `slot ${t.slot.slotNo}: ${p ? `“${p.name}” is no longer certified` : 'the product is gone'}`,
        };
      }
      items.push({
        slotNo: t.slot.slotNo,
        productId: t.slot.productId,
        productName: p.name,
        lotId: t.slot.lotId,
        quantity: t.quantity,
        unitPriceFen: p.priceFen,
        amountFen: p.priceFen * t.quantity,
      });
    }
    return { items, totalFen: items.reduce((a, i) => a + i.amountFen, 0) };
  }

  /** Takes sold units off the slots' records; a record short of what the scales say raises an alert. */
  private async takeFromSlots(em: EntityManager, s: KioskSessionEntity, items: SessionItem[]): Promise<void> {
    for (const i of items) {
      const short = await this.cabinetRows.takeFromSlot(em, s.cabinetId, i.slotNo, i.quantity);
      if (short > 0) {
        await this.cabinetRows.addAlert(
          {
            id: newId(),
            cabinetId: s.cabinetId,
            sessionId: s.id,
            kind: AlertKind.StockMismatch,
            detail: `slot ${i.slotNo}: ${i.quantity} taken but the record held ${i.quantity - short}`,
          },
          em,
        );
      }
    }
  }

  /**
   * Places the session's KIOSK order (named by `orderId`, so a retry finds it) and charges it through the
   * citizen's agreement. A charge that fails or is declined leaves the order unpaid: a balance, never a lost
   * sale.
   */
  async placeAndCharge(
    s: Pick<KioskSessionEntity, 'id' | 'userId' | 'cabinetId'>,
    orderId: string,
    items: SessionItem[],
  ): Promise<void> {
    const sessionId = s.id;
    const userId = s.userId;
    const cabinet = await this.cabinets.namesOf(s.cabinetId);
    let order;
    try {
      ({ order } = await this.orders.create({
        id: orderId,
        buyerUserId: userId,
        channel: Channel.Kiosk,
        lines: items.map((i) => ({
          productId: i.productId,
          lotId: i.lotId,
          quantity: i.quantity,
          unitPriceFen: i.unitPriceFen,
        })),
        attribution: { cabinetCode: cabinet?.code },
      }));
    } catch (e) {
      if (!isDuplicateKey(e)) {
        throw e;
      }
      order = await this.orders.requireOrder(orderId);
    }
    if (order.status !== OrderStatus.PendingPayment) {
      return;
    }
    const [agreement] = await this.agreements.activeOf(userId);
    if (!agreement) {
      this.logger.warn({ sessionId, orderId }, 'no agreement to charge: the purchase stays unpaid');
    } else {
      try {
        await this.payments.chargeAgreement(order, agreement.provider, agreement.agreementRef);
      } catch (e) {
        // Declined at once, or the provider is down: the order stays unpaid (the citizen pays from the page).
        this.logger.warn(
          { sessionId, orderId, err: e as Error },
          'the pay-after-use charge did not go through',
        );
      }
    }
    // Until now an order without a payment is being charged, not unpaid.
    await this.sessions.update(sessionId, { chargedAt: new Date() });
  }

  /** A settled session whose order was never placed (the process died in between) is placed and charged. */
  async recover(sessionId: string): Promise<boolean> {
    const s = await this.sessions.find(sessionId);
    if (!s || s.status !== SessionStatus.Settled || !s.orderId || !s.items?.length) {
      return false;
    }
    if (await this.orders.exists(s.orderId)) {
      return false;
    }
    await this.placeAndCharge(s, s.orderId, s.items);
    return true;
  }

  // --- restocking ---

  /**
   * A restock session closed: weight added becomes slot stock taken from the chosen lot; weight removed
   * goes back to the slot's lot or is written off with the reason. Nobody is charged. Anything outside a
   * slot's tolerance goes to review.
   */
  private async restockClosed(s: KioskSessionEntity, after: SlotWeight[]): Promise<void> {
    const now = new Date();
    const slots = await this.cabinets.slotsOf(s.cabinetId);
    const outcome = weighRestock(slots, s.weightsBefore ?? [], after);
    if (outcome.kind === 'REVIEW') {
      await this.sessions.transition(s.id, [SessionStatus.Open], {
        status: SessionStatus.Review,
        closedAt: now,
        weightsAfter: after,
        reviewReason: `restocking: ${outcome.reason}`,
        reasonCode: outcome.code,
        evidence: outcome.evidence,
      });
      return;
    }
    const plan = s.restock ?? { lots: {}, removed: 'RETURN' as const, writeOffReason: null };
    const bySlot = new Map(slots.map((x) => [x.slotNo, x]));
    const items: SessionItem[] = outcome.changes.map((c) => ({
      slotNo: c.slotNo,
      productId: c.productId,
      lotId:
        c.quantity > 0
          ? (plan.lots[String(c.slotNo)] ?? bySlot.get(c.slotNo)!.lotId)
          : bySlot.get(c.slotNo)!.lotId,
      quantity: c.quantity,
      unitPriceFen: 0,
      amountFen: 0,
    }));
    const wroteOff = items.some((i) => i.quantity < 0) && plan.removed === 'WRITE_OFF';
    try {
      await withTransaction(this.db, async (em) => {
        const moved = await this.sessions.transition(
          s.id,
          [SessionStatus.Open],
          {
            status: SessionStatus.Settled,
            closedAt: now,
            weightsAfter: after,
            items,
            evidence: outcome.evidence,
            resolutionNote: wroteOff ? `written off: ${plan.writeOffReason}` : null,
          },
          em,
        );
        if (!moved) {
          return;
        }
        for (const i of items) {
          if (i.quantity > 0) {
            for (const [sql, params] of this.stock.takeStockStatements([
              { lotId: i.lotId, quantity: i.quantity },
            ])) {
              await em.query(sql, params as unknown[]);
            }
            await this.cabinetRows.putIntoSlot(em, s.cabinetId, i.slotNo, i.quantity, i.lotId);
          } else {
            await this.cabinetRows.takeFromSlot(em, s.cabinetId, i.slotNo, -i.quantity);
            if (plan.removed === 'RETURN') {
              await this.stock.returnStock(em, i.lotId, -i.quantity);
            }
          }
        }
      });
    } catch (e) {
      if (!isStockTaken(e)) {
        throw e;
      }
      await this.sessions.transition(s.id, [SessionStatus.Open], {
        status: SessionStatus.Review,
        closedAt: now,
        weightsAfter: after,
        reviewReason: 'restocking: the chosen lot holds fewer units than were put in',
        reasonCode: ReasonCode.RestockLotShort,
        evidence: outcome.evidence,
      });
    }
  }

  // --- the operator's decision ---

  /**
   * Resolves a session in review with what was actually taken: a session without an order is charged for
   * those items (or closed when nothing was taken); a disputed one is corrected: the difference is refunded,
   * or charged as a further order, and the slots' records follow the goods.
   */
  async resolve(user: AuthUser, id: string, dto: ResolveDto): Promise<KioskSessionView> {
    const s = await this.sessionViews.requireSession(id);
    if (s.status !== SessionStatus.Review) {
      throw new SessionNotInReviewError(s.status);
    }
    const slots = new Map((await this.cabinets.slotsOf(s.cabinetId)).map((x) => [x.slotNo, x]));
    const wanted = new Map<number, number>();
    for (const [i, item] of dto.items.entries()) {
      const slot = slots.get(item.slotNo) ?? (s.items ?? []).find((x) => x.slotNo === item.slotNo);
      if (!slot) {
        throw new ValidationFailedError([
          { field: `items[${i}].slotNo`, message: 'slotNo must name a slot of the cabinet' },
        ]);
      }
      if (item.quantity > 0) {
        wanted.set(item.slotNo, (wanted.get(item.slotNo) ?? 0) + item.quantity);
      }
    }
    const charged = new Map((s.items ?? []).map((i) => [i.slotNo, i]));
    const slotOf = (slotNo: number) => {
      const x = slots.get(slotNo);
      const was = charged.get(slotNo);
      return {
        slotNo,
        productId: was?.productId ?? x!.productId,
        lotId: was?.lotId ?? x!.lotId,
      } as CabinetSlotEntity;
    };
    if (s.kind === SessionKind.Restock) {
      await this.sessions.transition(id, [SessionStatus.Review], {
        status: SessionStatus.Settled,
        resolvedBy: user.id,
        resolutionNote: dto.note,
      });
      return this.sessionViews.view((await this.sessions.find(id))!);
    }
    const order = s.orderId ? await this.orders.requireOrder(s.orderId).catch(() => undefined) : undefined;
    const priced = await this.price(
      [...wanted].map(([slotNo, quantity]) => ({ slot: slotOf(slotNo), quantity })),
    );
    if ('problem' in priced) {
      throw new ValidationFailedError([{ field: 'items', message: priced.problem }]);
    }
    if (!order) {
      // Never charged: charge what was taken, or close.
      const nothing = priced.items.length === 0;
      const won = await withTransaction(this.db, async (em) => {
        const moved = await this.sessions.transition(
          id,
          [SessionStatus.Review],
          nothing
            ? {
                status: SessionStatus.Cancelled,
                resolvedBy: user.id,
                resolutionNote: dto.note,
                items: [],
                totalFen: 0,
              }
            : {
                status: SessionStatus.Settled,
                resolvedBy: user.id,
                resolutionNote: dto.note,
                items: priced.items,
                totalFen: priced.totalFen,
                orderId: s.id,
                closedAt: s.closedAt ?? new Date(),
              },
          em,
        );
        if (moved && !nothing) {
          await this.takeFromSlots(em, s, priced.items);
        }
        return moved;
      });
      if (won && !nothing) {
        await this.placeAndCharge(s, s.id, priced.items);
      }
      return this.sessionViews.view((await this.sessions.find(id))!);
    }
    // Disputed after settlement: correct by the difference.
    const won = await withTransaction(this.db, async (em) => {
      const moved = await this.sessions.transition(
        id,
        [SessionStatus.Review],
        {
          status: SessionStatus.Settled,
          resolvedBy: user.id,
          resolutionNote: dto.note,
          items: priced.items,
          totalFen: priced.totalFen,
        },
        em,
      );
      if (moved) {
        for (const slotNo of new Set([...charged.keys(), ...wanted.keys()])) {
          const diff = (charged.get(slotNo)?.quantity ?? 0) - (wanted.get(slotNo) ?? 0);
          if (diff > 0 && slots.has(slotNo)) {
            await this.cabinetRows.putIntoSlot(em, s.cabinetId, slotNo, diff);
          } else if (diff < 0) {
            await this.cabinetRows.takeFromSlot(em, s.cabinetId, slotNo, -diff);
          }
        }
      }
      return moved;
    });
    if (!won) {
      throw new SessionNotInReviewError('changed meanwhile');
    }
    const paidFen = order.totalFen - order.refundedFen;
    if (order.status === OrderStatus.PendingPayment) {
      // Never paid: the unpaid order is replaced by one for what was really taken.
      await withTransaction(this.db, async (em) => {
        const locked = await this.orders.requireOrder(order.id, em, true);
        await this.orders.cancelUnpaid(em, locked);
      });
      if (priced.items.length) {
        const replacement = newId();
        await this.sessions.update(id, { orderId: replacement });
        await this.placeAndCharge(s, replacement, priced.items);
      }
    } else if (priced.totalFen < paidFen) {
      await this.refunds.refund(
        order.id,
        paidFen - priced.totalFen,
        `cabinet dispute resolved: ${dto.note}`.slice(0, 255),
      );
    } else if (priced.totalFen > paidFen) {
      // More was taken than charged: the difference is charged as a further order.
      const extra: SessionItem[] = [];
      for (const i of priced.items) {
        const more = i.quantity - (charged.get(i.slotNo)?.quantity ?? 0);
        if (more > 0) {
          extra.push({ ...i, quantity: more, amountFen: i.unitPriceFen * more });
        }
      }
      if (extra.length) {
        await this.placeAndCharge(s, newId(), extra);
      }
    }
    return this.sessionViews.view((await this.sessions.find(id))!);
  }
}
