import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { newId } from '@/common/ids';
import { BatchPool } from '@/infrastructure/database/batch-pool';
import { isDuplicateKey, withBatchTransaction, withTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { StockService } from '@/modules/catalog/stock.service';
import { AgreementsService } from '@/modules/orders/agreements.service';
import { Channel, OrderStatus } from '@/modules/orders/entities/order.entity';
import { OrdersService } from '@/modules/orders/orders.service';
import { PaymentStartService } from '@/modules/orders/payment-start.service';
import { RefundsService } from '@/modules/orders/refunds.service';
import { CabinetsRepository } from './cabinets.repository';
import { CabinetsService } from './cabinets.service';
import { CabinetEvent, DeviceGateway } from './device/device-gateway.service';
import { CabinetEventType, SlotWeight } from './device/protocol';
import { CabinetSlotEntity } from './entities/cabinet-slot.entity';
import { AlertKind } from './entities/kiosk-alert.entity';
import {
  KioskSessionEntity,
  ReasonCode,
  SessionItem,
  SessionKind,
  SessionStatus,
  UNLOCK_GRACE_MS,
} from './entities/kiosk-session.entity';
import { KioskJobName } from './jobs/kiosk.job-definitions';
import { RestockService } from './restock.service';
import { KioskSessionsService } from './sessions.service';
import { SessionsRepository } from './sessions.repository';
import { weigh } from './settle';

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
    @Inject(RestockService) private readonly restock: RestockService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  onModuleInit(): void {
    this.gateway.onEvent((e) => this.onEvent(e));
  }

  async onEvent(e: CabinetEvent): Promise<void> {
    switch (e.type) {
      case CabinetEventType.DoorOpened:
        return this.doorOpened(e.cabinet.id, e.sessionId!, e.slots!, e.ts);
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
  async doorOpened(
    cabinetId: string,
    sessionId: string,
    slots: SlotWeight[],
    ts = Date.now(),
  ): Promise<void> {
    const now = new Date();
    // One round trip: the session opens if it is this cabinet's, still unlocking, and its unlock had not
    // expired when the cabinet opened the door (by the cabinet's clock, with UNLOCK_GRACE_MS for clocks that
    // disagree); only then are its two timers written.
    const [opened] = (await withBatchTransaction(this.batch, (tx) =>
      tx.commit([
        this.sessions.openStatement(
          sessionId,
          cabinetId,
          now,
          slots,
          new Date(Math.min(ts, now.getTime()) - UNLOCK_GRACE_MS),
        ),
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
      return;
    }
    await this.lateDoor(cabinetId, sessionId, { weightsBefore: slots, openedAt: now });
  }

  /**
   * The door moved for a session that is over: cancelled because the door did not open in time (yet it
   * did, late), or already in review. Goods may have been taken, so the session goes to review with the
   * weights, and the operators are told; nothing is lost, nothing is charged until they decide.
   */
  private async lateDoor(
    cabinetId: string,
    sessionId: string,
    weights:
      | Pick<KioskSessionEntity, 'weightsBefore' | 'openedAt'>
      | Pick<KioskSessionEntity, 'weightsAfter' | 'closedAt'>,
  ): Promise<void> {
    const s = await this.sessions.find(sessionId);
    if (!s || s.cabinetId !== cabinetId) {
      return;
    }
    const late =
      s.status === SessionStatus.Cancelled &&
      (s.reasonCode === ReasonCode.UnlockExpired || s.reasonCode === ReasonCode.UnlockNotSent);
    if (late) {
      const moved = await this.sessions.transition(sessionId, [SessionStatus.Cancelled], {
        ...weights,
        status: SessionStatus.Review,
        reviewReason: 'the door moved after the session had been cancelled for not opening in time',
        reasonCode: ReasonCode.LateDoorOpened,
        evidence: { slots: [], candidateItems: [] },
      });
      if (moved) {
        await this.cabinets.alert(
          cabinetId,
          AlertKind.LateDoor,
          'the door moved after its session was cancelled',
          sessionId,
        );
      }
    } else if (s.status === SessionStatus.Review) {
      // In review already (lost, or closed before its opening was reported): the weights that come late are
      // the evidence the operator needs.
      const missing = 'weightsAfter' in weights ? !s.weightsAfter : !s.weightsBefore;
      if (!missing) {
        return;
      }
      const before = 'weightsBefore' in weights ? weights.weightsBefore : s.weightsBefore;
      const after = 'weightsAfter' in weights ? weights.weightsAfter : s.weightsAfter;
      const evidence =
        before && after ? weigh(await this.cabinets.slotsOf(cabinetId), before, after).evidence : s.evidence;
      await this.sessions.update(sessionId, { ...weights, evidence });
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
      const moved = await this.sessions.transition(sessionId, [SessionStatus.Unlocking], {
        status: SessionStatus.Review,
        closedAt: new Date(),
        weightsAfter: after,
        reviewReason: 'the door closed without a DOOR_OPENED (no weights before)',
        reasonCode: ReasonCode.NoDoorOpened,
        evidence: { slots: [], candidateItems: [] },
      });
      if (moved) {
        return;
      }
      // The opening was applied meanwhile: settle as usual.
      s = (await this.sessions.find(sessionId))!;
    }
    if (s.status !== SessionStatus.Open) {
      return this.lateDoor(cabinetId, sessionId, { weightsAfter: after, closedAt: new Date() });
    }
    if (s.kind === SessionKind.Restock) {
      return this.restock.closed(s, after);
    }
    return this.saleClosed(s, after);
  }

  private async saleClosed(s: KioskSessionEntity, after: SlotWeight[]): Promise<void> {
    const now = new Date();
    const slots = await this.cabinets.slotsOf(s.cabinetId);
    const outcome = weigh(slots, s.weightsBefore ?? [], after);
    if (outcome.kind === 'REVIEW') {
      await this.sessions.closeForReview(s.id, {
        weightsAfter: after,
        reason: outcome.reason,
        code: outcome.code,
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
      await this.sessions.closeForReview(s.id, {
        weightsAfter: after,
        reason: priced.problem,
        code: ReasonCode.NotCertified,
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
  async price(
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
  async takeFromSlots(em: EntityManager, s: KioskSessionEntity, items: SessionItem[]): Promise<void> {
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
      // Charged before (a retry after the capture): only the record of it was missing.
      await this.sessions.update(sessionId, { chargedAt: new Date() });
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

  /**
   * A settled sale whose order was never placed, or never charged (the process died in between), is placed
   * and charged now; placing is idempotent (the order is named by the session) and one open payment per
   * order keeps a charge in flight from being doubled.
   */
  async recover(sessionId: string): Promise<boolean> {
    const s = await this.sessions.find(sessionId);
    if (
      !s ||
      s.kind !== SessionKind.Sale ||
      s.status !== SessionStatus.Settled ||
      !s.orderId ||
      !s.items?.length
    ) {
      return false;
    }
    if (s.chargedAt) {
      return false;
    }
    await this.placeAndCharge(s, s.orderId, s.items);
    return true;
  }
}
