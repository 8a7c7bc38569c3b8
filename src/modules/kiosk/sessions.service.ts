import { Inject, Injectable, Logger } from '@nestjs/common';
import { Env, ENV } from '@/config/env';
import { AuthUser, hasRole, Role } from '@/common/auth/role';
import { Page } from '@/common/pagination';
import { newId } from '@/common/ids';
import { BatchPool } from '@/infrastructure/database/batch-pool';
import { isDuplicateKey, withBatchTransaction } from '@/infrastructure/database/transaction';
import { OutboxService } from '@/infrastructure/outbox/outbox.service';
import { ProductsService } from '@/modules/catalog/products.service';
import { AllocationService } from '@/modules/ledger/allocation.service';
import { IncomeService } from '@/modules/ledger/income.service';
import { AgreementsService } from '@/modules/orders/agreements.service';
import { ChannelPolicies } from '@/modules/orders/channel-policy';
import { Channel, OrderStatus } from '@/modules/orders/entities/order.entity';
import { OrdersService } from '@/modules/orders/orders.service';
import { CabinetsRepository } from './cabinets.repository';
import { CabinetsService } from './cabinets.service';
import { DeviceGateway } from './device/device-gateway.service';
import {
  KioskSessionView,
  mapReview,
  mapSession,
  ReviewView,
  CabinetScanView,
  SessionFacts,
  SessionPayment,
  UnpaidBalanceView,
} from './dto/kiosk.dto';
import { CabinetEntity, CabinetStatus } from './entities/cabinet.entity';
import { AlertKind } from './entities/kiosk-alert.entity';
import {
  KioskSessionEntity,
  ReasonCode,
  SessionKind,
  SessionStatus,
  UNLOCK_GRACE_MS,
} from './entities/kiosk-session.entity';
import {
  CabinetBusyError,
  CabinetMaintenanceError,
  CabinetNotFoundError,
  CabinetOfflineError,
  KioskSessionNotFoundError,
  NotYourSessionError,
  PaymentAgreementRequiredError,
  SessionNotDisputableError,
  UnpaidBalanceError,
} from './errors';
import { KioskJobName } from './jobs/kiosk.job-definitions';
import { codeOfQrUrl } from './qr';
import { SessionsRepository } from './sessions.repository';

/**
 * Cabinet sessions as citizens and operators see them: unlocking (one open session per cabinet, whatever the
 * concurrency), the timers that keep a session from hanging, disputes, the review queue and what a session
 * shows (items, payment, the households' share).
 */
@Injectable()
export class KioskSessionsService {
  private readonly logger = new Logger(KioskSessionsService.name);

  constructor(
    @Inject(BatchPool) private readonly batch: BatchPool,
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(CabinetsService) private readonly cabinets: CabinetsService,
    @Inject(CabinetsRepository) private readonly cabinetRows: CabinetsRepository,
    @Inject(DeviceGateway) private readonly gateway: DeviceGateway,
    @Inject(OutboxService) private readonly outbox: OutboxService,
    @Inject(OrdersService) private readonly orders: OrdersService,
    @Inject(AgreementsService) private readonly agreements: AgreementsService,
    @Inject(ChannelPolicies) private readonly policies: ChannelPolicies,
    @Inject(ProductsService) private readonly products: ProductsService,
    @Inject(IncomeService) private readonly income: IncomeService,
    @Inject(AllocationService) private readonly allocation: AllocationService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /**
   * A citizen scanned a cabinet's QR code: checks the code's signature, the cabinet's state, the citizen's
   * agreement and balance, then opens a session (409 `cabinet-busy` if one is open) and sends UNLOCK.
   */
  async unlock(user: AuthUser, qrUrl: string): Promise<KioskSessionView> {
    const code = codeOfQrUrl(qrUrl, this.cabinets.qrKey);
    if (!code) {
      throw new CabinetNotFoundError();
    }
    // Three independent reads, side by side.
    const [cabinet, agreements, unpaid] = await Promise.all([
      this.cabinetRows.findByCode(code),
      this.agreements.activeOf(user.id),
      this.orders.unpaidOf(user.id, Channel.Kiosk),
    ]);
    if (!cabinet) {
      throw new CabinetNotFoundError();
    }
    this.assertUsable(cabinet);
    if (!agreements.length) {
      throw new PaymentAgreementRequiredError();
    }
    if (unpaid.length) {
      throw new UnpaidBalanceError(unpaid.reduce((a, o) => a + o.totalFen, 0));
    }
    return this.open(cabinet, user.id, SessionKind.Sale, null);
  }

  /**
   * What the page a QR code opens shows before anyone signs in: the cabinet's name and whether it can be
   * opened now. A forged or altered code is 404 `cabinet-not-found`, as at the unlock.
   */
  async scan(qrUrl: string): Promise<CabinetScanView> {
    const code = codeOfQrUrl(qrUrl, this.cabinets.qrKey);
    const cabinet = code ? await this.cabinetRows.findByCode(code) : null;
    if (!cabinet) {
      throw new CabinetNotFoundError();
    }
    const status = this.cabinets.effectiveStatus(cabinet);
    return {
      code: cabinet.code,
      name: cabinet.name,
      address: cabinet.address,
      siteType: cabinet.siteType,
      status: status === CabinetStatus.Online && !this.gateway.connected ? CabinetStatus.Offline : status,
      busy: await this.sessions.isBusy(cabinet.id),
    };
  }

  private assertUsable(cabinet: CabinetEntity): void {
    const status = this.cabinets.effectiveStatus(cabinet);
    if (status === CabinetStatus.Maintenance) {
      throw new CabinetMaintenanceError();
    }
    if (status === CabinetStatus.Offline || !this.gateway.connected) {
      throw new CabinetOfflineError();
    }
  }

  /** Opens a session at a cabinet (sale or restock) and sends UNLOCK; 409 `cabinet-busy` when one is open. */
  async open(
    cabinet: CabinetEntity,
    userId: string,
    kind: SessionKind,
    restock: KioskSessionEntity['restock'],
  ): Promise<KioskSessionView> {
    const now = new Date();
    const session = Object.assign(new KioskSessionEntity(), {
      id: newId(),
      cabinetId: cabinet.id,
      openCabinetId: cabinet.id,
      kind,
      userId,
      status: SessionStatus.Unlocking,
      unlockExpiresAt: new Date(now.getTime() + this.env.KIOSK_UNLOCK_SECONDS * 1000),
      openedAt: null,
      closedAt: null,
      weightsBefore: null,
      weightsAfter: null,
      items: null,
      totalFen: 0,
      orderId: null,
      reviewReason: null,
      reasonCode: null,
      evidence: null,
      disputeReason: null,
      resolvedBy: null,
      resolutionNote: null,
      restock,
      chargedAt: null,
      receiptSentAt: null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      // One round trip: the session, and the timer that cancels it if the door never opens.
      await withBatchTransaction(this.batch, (tx) =>
        tx.commit([
          this.sessions.insertStatement(session),
          this.outbox.statement(
            KioskJobName.UnlockTimeout,
            { sessionId: session.id },
            { runAt: new Date(session.unlockExpiresAt.getTime() + UNLOCK_GRACE_MS) },
          ),
        ]),
      );
    } catch (e) {
      if (isDuplicateKey(e)) {
        throw new CabinetBusyError();
      }
      throw e;
    }
    this.outbox.kick();
    try {
      await this.gateway.sendUnlock(cabinet.code, session.id, session.unlockExpiresAt);
    } catch (e) {
      this.logger.warn(
        { err: e as Error, sessionId: session.id, cabinet: cabinet.code },
        'UNLOCK could not be sent',
      );
      await this.sessions.transition(session.id, [SessionStatus.Unlocking], {
        status: SessionStatus.Cancelled,
        reviewReason: 'the unlock command could not be sent',
        reasonCode: ReasonCode.UnlockNotSent,
      });
      throw new CabinetOfflineError();
    }
    return this.view(session, cabinet);
  }

  // --- reading ---

  async requireSession(id: string): Promise<KioskSessionEntity> {
    const s = await this.sessions.find(id);
    if (!s) {
      throw new KioskSessionNotFoundError(id);
    }
    return s;
  }

  /** A session as its citizen (or staff) sees it. */
  async getFor(user: AuthUser, id: string): Promise<KioskSessionView> {
    const s = await this.requireSession(id);
    // Its citizen (or the operator who opened it to restock) and administrators; operators see the sessions
    // they must decide on through the review queue.
    if (s.userId !== user.id && !hasRole(user, Role.Admin)) {
      throw new NotYourSessionError();
    }
    return this.view(s);
  }

  async listMine(user: AuthUser, limit: number, cursor?: string): Promise<Page<KioskSessionView>> {
    const rows = await this.sessions.ofUser(user.id, limit + 1, cursor);
    const page = rows.slice(0, limit);
    return {
      items: await Promise.all(page.map((s) => this.view(s))),
      nextCursor: rows.length > limit ? page[page.length - 1].id : null,
    };
  }

  /** What the citizen owes for cabinet purchases whose charge did not go through. */
  async unpaidOf(user: AuthUser): Promise<UnpaidBalanceView> {
    const orders = await this.orders.unpaidOf(user.id, Channel.Kiosk);
    return {
      totalFen: orders.reduce((a, o) => a + o.totalFen, 0),
      orders: orders.map((o) => ({
        orderId: o.orderId,
        totalFen: o.totalFen,
        createdAt: o.createdAt.toISOString(),
      })),
    };
  }

  /** Sessions in REVIEW, oldest first, with their evidence. */
  async reviews(limit: number, cursor?: string): Promise<{ items: ReviewView[]; nextCursor: string | null }> {
    const rows = await this.sessions.inStatus(SessionStatus.Review, limit + 1, cursor);
    const page = rows.slice(0, limit);
    const items = await Promise.all(page.map(async (s) => mapReview(s, await this.facts(s))));
    return { items, nextCursor: rows.length > limit ? page[page.length - 1].id : null };
  }

  async view(s: KioskSessionEntity, cabinet?: CabinetEntity): Promise<KioskSessionView> {
    return mapSession(s, await this.facts(s, cabinet));
  }

  private async facts(s: KioskSessionEntity, cabinet?: CabinetEntity): Promise<SessionFacts> {
    const c = cabinet ?? (await this.cabinets.namesOf(s.cabinetId))!;
    const productNames = new Map<string, string>();
    for (const id of new Set((s.items ?? []).filter((i) => !i.productName).map((i) => i.productId))) {
      const p = await this.products.requireProduct(id).catch(() => undefined);
      if (p) {
        productNames.set(id, p.name);
      }
    }
    let payment = SessionPayment.None;
    let householdFen: number | null = null;
    if (
      (s.orderId && s.status === SessionStatus.Settled) ||
      (s.orderId && s.status === SessionStatus.Review)
    ) {
      const order = await this.orders.requireOrder(s.orderId!).catch(() => undefined);
      if (!order) {
        payment = SessionPayment.Charging;
      } else {
        payment =
          order.status === OrderStatus.PendingPayment && !s.chargedAt
            ? SessionPayment.Charging
            : await this.paymentOf(order.status, s.orderId!, s.userId);
        if (order.status !== OrderStatus.PendingPayment && order.status !== OrderStatus.Cancelled) {
          householdFen = await this.income.householdFenOfOrder(s.orderId!);
        }
      }
    }
    const windowMs = this.policies.of(Channel.Kiosk).refundWindowDays * 86_400_000;
    const disputable =
      s.kind === SessionKind.Sale &&
      s.status === SessionStatus.Settled &&
      !s.disputeReason &&
      !!s.closedAt &&
      Date.now() - s.closedAt.getTime() <= windowMs;
    return { cabinet: c, productNames, payment, householdFen, disputable };
  }

  private async paymentOf(status: OrderStatus, orderId: string, userId: string): Promise<SessionPayment> {
    switch (status) {
      case OrderStatus.Paid:
        return SessionPayment.Paid;
      case OrderStatus.Refunded:
        return SessionPayment.Refunded;
      case OrderStatus.PartiallyRefunded:
        return SessionPayment.PartiallyRefunded;
      case OrderStatus.Cancelled:
        return SessionPayment.Cancelled;
      default: {
        const unpaid = await this.orders.unpaidOf(userId, Channel.Kiosk);
        return unpaid.some((o) => o.orderId === orderId) ? SessionPayment.Unpaid : SessionPayment.Charging;
      }
    }
  }

  // --- disputes ---

  /** The citizen disputes a settled session within the kiosk refund window; it goes to the review queue. */
  async dispute(user: AuthUser, id: string, reason: string): Promise<KioskSessionView> {
    const s = await this.requireSession(id);
    if (s.userId !== user.id) {
      throw new NotYourSessionError();
    }
    const { disputable } = await this.facts(s);
    if (!disputable) {
      throw new SessionNotDisputableError(
        s.disputeReason
          ? 'This session has been disputed already.'
          : s.status !== SessionStatus.Settled
            ? `The session is ${s.status}; only a settled purchase can be disputed.`
            : 'The refund window of this purchase has closed.',
      );
    }
    const evidence = {
      slots: s.evidence?.slots ?? [],
      candidateItems: (s.items ?? []).map((i) => ({
        slotNo: i.slotNo,
        productId: i.productId,
        quantity: i.quantity,
      })),
    };
    const moved = await this.sessions.transition(id, [SessionStatus.Settled], {
      status: SessionStatus.Review,
      disputeReason: reason,
      reviewReason: 'disputed by the citizen',
      reasonCode: ReasonCode.Disputed,
      evidence,
    });
    if (!moved) {
      throw new SessionNotDisputableError('The session changed meanwhile; look again.');
    }
    // Until the operator decides, the households' share of this sale stays pending, however long that takes.
    if (s.orderId) {
      await this.allocation.holdCredits(s.orderId);
    }
    return this.view((await this.sessions.find(id))!);
  }

  // --- timers (jobs) ---

  /**
   * The door never opened: the session is cancelled, UNLOCK_GRACE_MS after its unlock expired. Run early
   * (clocks disagree a little), it comes back at that time; 'early' then.
   */
  async unlockExpired(sessionId: string): Promise<'cancelled' | 'early' | 'unchanged'> {
    const s = await this.sessions.find(sessionId);
    if (!s || s.status !== SessionStatus.Unlocking) {
      return 'unchanged';
    }
    const due = new Date(s.unlockExpiresAt.getTime() + UNLOCK_GRACE_MS);
    if (due.getTime() > Date.now() + 50) {
      await withBatchTransaction(this.batch, (tx) =>
        tx.commit([this.outbox.statement(KioskJobName.UnlockTimeout, { sessionId }, { runAt: due })]),
      );
      this.outbox.kick();
      return 'early';
    }
    const moved = await this.sessions.transition(sessionId, [SessionStatus.Unlocking], {
      status: SessionStatus.Cancelled,
      reviewReason: `the door did not open within ${this.env.KIOSK_UNLOCK_SECONDS} s`,
      reasonCode: ReasonCode.UnlockExpired,
    });
    return moved ? 'cancelled' : 'unchanged';
  }

  /** The door is still open after KIOSK_DOOR_ALERT_SECONDS: an alert for the operators. */
  async doorOpenTooLong(sessionId: string): Promise<boolean> {
    const s = await this.sessions.find(sessionId);
    if (!s || s.status !== SessionStatus.Open) {
      return false;
    }
    await this.cabinets.alert(
      s.cabinetId,
      AlertKind.DoorOpenTooLong,
      `the door has been open since ${s.openedAt?.toISOString()} (over ${this.env.KIOSK_DOOR_ALERT_SECONDS} s)`,
      s.id,
    );
    return true;
  }

  /** No DOOR_CLOSED came (the cabinet lost its network): the session goes to review, never hangs. */
  async sessionLost(sessionId: string): Promise<boolean> {
    const s = await this.sessions.find(sessionId);
    if (!s || s.status !== SessionStatus.Open) {
      return false;
    }
    const reason = `no DOOR_CLOSED within ${this.env.KIOSK_SESSION_LOST_SECONDS} s of the door opening`;
    const moved = await this.sessions.transition(sessionId, [SessionStatus.Open], {
      status: SessionStatus.Review,
      reviewReason: reason,
      reasonCode: ReasonCode.SessionLost,
      evidence: {
        slots: (s.weightsBefore ?? []).map((w) => ({
          slotNo: w.slotNo,
          productId: null,
          unitWeightGrams: null,
          toleranceGrams: null,
          beforeGrams: w.weightGrams,
          afterGrams: null,
          deltaGrams: null,
          candidateQuantities: [],
          problem: 'MISSING_READING' as const,
        })),
        candidateItems: [],
      },
    });
    if (moved) {
      await this.cabinets.alert(s.cabinetId, AlertKind.SessionLost, reason, s.id);
    }
    return moved;
  }
}
