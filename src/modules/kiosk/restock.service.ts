import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuthUser } from '@/common/auth/role';
import { ValidationFailedError } from '@/common/errors/domain-error';
import { isStockTaken, StockService } from '@/modules/catalog/stock.service';
import { LotsService } from '@/modules/catalog/lots.service';
import { withTransaction } from '@/infrastructure/database/transaction';
import { CabinetsRepository } from './cabinets.repository';
import { CabinetsService } from './cabinets.service';
import { SlotWeight } from './device/protocol';
import { KioskSessionView, RestockDto } from './dto/kiosk.dto';
import { CabinetStatus } from './entities/cabinet.entity';
import {
  KioskSessionEntity,
  ReasonCode,
  SessionItem,
  SessionKind,
  SessionStatus,
} from './entities/kiosk-session.entity';
import { CabinetOfflineError } from './errors';
import { KioskSessionsService } from './sessions.service';
import { SessionsRepository } from './sessions.repository';
import { weighRestock } from './settle';

/**
 * Restocking: an operator opens a cabinet (a session of its own kind, nobody charged); weight put in becomes
 * slot stock taken from the chosen lot, weight taken out (expired goods) goes back to the lot or is written
 * off with a reason. The scales see each slot's net change only: taking out and putting in units of the same
 * slot in one opening counts as their difference.
 */
@Injectable()
export class RestockService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(KioskSessionsService) private readonly sessionsService: KioskSessionsService,
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(CabinetsService) private readonly cabinets: CabinetsService,
    @Inject(CabinetsRepository) private readonly cabinetRows: CabinetsRepository,
    @Inject(LotsService) private readonly lots: LotsService,
    @Inject(StockService) private readonly stock: StockService,
  ) {}

  /** An operator opens a cabinet to restock it (or take expired goods out); nobody is charged. */
  async open(user: AuthUser, code: string, dto: RestockDto): Promise<KioskSessionView> {
    const cabinet = await this.cabinets.requireByCode(code);
    if (this.cabinets.effectiveStatus(cabinet) === CabinetStatus.Offline) {
      throw new CabinetOfflineError();
    }
    const slots = new Map((await this.cabinets.slotsOf(cabinet.id)).map((s) => [s.slotNo, s]));
    const lots: Record<string, string> = {};
    for (const [slotNo, lotId] of Object.entries(dto.lots ?? {})) {
      const slot = slots.get(Number(slotNo));
      const field = `lots.${slotNo}`;
      if (!slot || typeof lotId !== 'string') {
        throw new ValidationFailedError([{ field, message: `${field} must name a lot for a stocked slot` }]);
      }
      const lot = await this.lots.requireLot(lotId).catch(() => undefined);
      if (!lot || lot.productId !== slot.productId) {
        throw new ValidationFailedError([
          { field, message: `${field} must name a lot of the slot's product` },
        ]);
      }
      if (lot.id !== slot.lotId && slot.quantity > 0) {
        throw new ValidationFailedError([
          { field, message: `${field}: the slot still holds units of another lot; unstock it first` },
        ]);
      }
      lots[slotNo] = lotId;
    }
    if (dto.removed === 'WRITE_OFF' && !dto.writeOffReason) {
      throw new ValidationFailedError([
        { field: 'writeOffReason', message: 'writeOffReason is required to write off' },
      ]);
    }
    return this.sessionsService.open(cabinet, user.id, SessionKind.Restock, {
      lots,
      removed: dto.removed ?? 'RETURN',
      writeOffReason: dto.writeOffReason ?? null,
    });
  }

  /**
   * A restock session closed: weight added becomes slot stock taken from the chosen lot; weight removed
   * goes back to the slot's lot or is written off with the reason. Nobody is charged. Anything outside a
   * slot's tolerance goes to review.
   */
  async closed(s: KioskSessionEntity, after: SlotWeight[]): Promise<void> {
    const now = new Date();
    const slots = await this.cabinets.slotsOf(s.cabinetId);
    const outcome = weighRestock(slots, s.weightsBefore ?? [], after);
    if (outcome.kind === 'REVIEW') {
      await this.sessions.closeForReview(s.id, {
        weightsAfter: after,
        reason: `restocking: ${outcome.reason}`,
        code: outcome.code,
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
            await this.stock.takeStock(em, i.lotId, i.quantity);
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
      await this.sessions.closeForReview(s.id, {
        weightsAfter: after,
        reason: 'restocking: the chosen lot holds fewer units than were put in',
        code: ReasonCode.RestockLotShort,
        evidence: outcome.evidence,
      });
    }
  }
}
