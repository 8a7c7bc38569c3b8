import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, LessThan, Repository } from 'typeorm';
import { Statement } from '@/infrastructure/database/transaction';
import type { SlotWeight } from './device/protocol';
import {
  KioskSessionEntity,
  ReasonCode,
  ReviewEvidence,
  SessionKind,
  SessionStatus,
} from './entities/kiosk-session.entity';

/** Free text cut to its column (a reason naming many slots must never fail the change it explains). */
function clip<T extends Partial<KioskSessionEntity>>(patch: T): T {
  const cut = (v: string | null | undefined, n: number) =>
    typeof v === 'string' && v.length > n ? `${v.slice(0, n - 1)}…` : v;
  return {
    ...patch,
    ...(patch.reviewReason !== undefined ? { reviewReason: cut(patch.reviewReason, 255) } : {}),
    ...(patch.resolutionNote !== undefined ? { resolutionNote: cut(patch.resolutionNote, 500) } : {}),
    ...(patch.disputeReason !== undefined ? { disputeReason: cut(patch.disputeReason, 500) } : {}),
  };
}

/** The queries on cabinet sessions. Every change of status is conditional on the status it leaves. */
@Injectable()
export class SessionsRepository {
  constructor(
    @InjectRepository(KioskSessionEntity) private readonly sessions: Repository<KioskSessionEntity>,
  ) {}

  private repo(em?: EntityManager): Repository<KioskSessionEntity> {
    return em ? em.getRepository(KioskSessionEntity) : this.sessions;
  }

  /** The INSERT of a new session, for a batched transaction (fails on the open-cabinet key when busy). */
  insertStatement(s: KioskSessionEntity): Statement {
    return [
      `INSERT INTO kiosk_sessions (id, cabinet_id, open_cabinet_id, kind, user_id, status, unlock_expires_at, restock, total_fen, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
      [
        s.id,
        s.cabinetId,
        s.openCabinetId,
        s.kind,
        s.userId,
        s.status,
        s.unlockExpiresAt,
        s.restock ? JSON.stringify(s.restock) : null,
        s.createdAt,
        s.updatedAt,
      ],
    ];
  }

  /**
   * The UPDATE that opens a session of this cabinet still UNLOCKING whose unlock has not expired, for a
   * batched transaction (statements after it can be made conditional on it having changed a row).
   */
  openStatement(
    id: string,
    cabinetId: string,
    openedAt: Date,
    weights: SlotWeight[],
    expiredBefore: Date,
  ): Statement {
    return [
      `UPDATE kiosk_sessions SET status = 'OPEN', opened_at = ?, weights_before = ?
        WHERE id = ? AND cabinet_id = ? AND status = 'UNLOCKING' AND unlock_expires_at >= ?`,
      [openedAt, JSON.stringify(weights), id, cabinetId, expiredBefore],
    ];
  }

  find(id: string): Promise<KioskSessionEntity | null> {
    return this.sessions.findOne({ where: { id } });
  }

  /** Whether a session is open at the cabinet. */
  async isBusy(cabinetId: string): Promise<boolean> {
    return (await this.sessions.count({ where: { openCabinetId: cabinetId } })) > 0;
  }

  findByOrder(orderId: string): Promise<KioskSessionEntity | null> {
    return this.sessions.findOne({ where: { orderId } });
  }

  /**
   * Moves a session from one of `from` to the patch's status (and fields); true when it did. A session that
   * is over frees its cabinet (`open_cabinet_id` NULL).
   */
  async transition(
    id: string,
    from: SessionStatus[],
    patch: Partial<KioskSessionEntity> & { status: SessionStatus },
    em?: EntityManager,
  ): Promise<boolean> {
    const over = patch.status !== SessionStatus.Unlocking && patch.status !== SessionStatus.Open;
    const r = await this.repo(em).update(
      { id, status: In(from) },
      { ...clip(patch), ...(over ? { openCabinetId: null } : {}) },
    );
    return r.affected === 1;
  }

  /**
   * An OPEN session whose door closed goes to review with what the scales said and why; true when it did (a
   * repeat finds it moved already).
   */
  closeForReview(
    id: string,
    why: { weightsAfter: SlotWeight[]; reason: string; code: ReasonCode; evidence: ReviewEvidence | null },
  ): Promise<boolean> {
    return this.transition(id, [SessionStatus.Open], {
      status: SessionStatus.Review,
      closedAt: new Date(),
      weightsAfter: why.weightsAfter,
      reviewReason: why.reason,
      reasonCode: why.code,
      evidence: why.evidence,
    });
  }

  async update(id: string, patch: Partial<KioskSessionEntity>, em?: EntityManager): Promise<void> {
    await this.repo(em).update({ id }, clip(patch));
  }

  /** Takes the lease on a session's pending correction for `ms`; false when done or another holds it. */
  async leaseCorrection(id: string, ms: number): Promise<boolean> {
    const now = new Date();
    const r = await this.sessions
      .createQueryBuilder()
      .update()
      .set({ correctionLeaseUntil: new Date(now.getTime() + ms) })
      .where(
        'id = :id AND correction IS NOT NULL AND correction_done_at IS NULL AND (correction_lease_until IS NULL OR correction_lease_until < :now)',
        { id, now },
      )
      .execute();
    return r.affected === 1;
  }

  async endCorrection(id: string, done: boolean): Promise<void> {
    await this.sessions.update(
      { id },
      done ? { correctionDoneAt: new Date(), correctionLeaseUntil: null } : { correctionLeaseUntil: null },
    );
  }

  /** Marks the receipt sent; true for the one caller that did (so the SMS goes once). */
  async claimReceipt(id: string, at: Date): Promise<boolean> {
    const r = await this.sessions
      .createQueryBuilder()
      .update()
      .set({ receiptSentAt: at })
      .where('id = :id AND receipt_sent_at IS NULL', { id })
      .execute();
    return r.affected === 1;
  }

  async releaseReceipt(id: string): Promise<void> {
    await this.sessions.update({ id }, { receiptSentAt: null });
  }

  /** Sessions in a status, oldest change first, after a cursor (an id). */
  inStatus(status: SessionStatus, limit: number, afterId?: string): Promise<KioskSessionEntity[]> {
    const qb = this.sessions
      .createQueryBuilder('s')
      .where('s.status = :status', { status })
      .orderBy('s.id', 'ASC')
      .take(limit);
    if (afterId) {
      qb.andWhere('s.id > :afterId', { afterId });
    }
    return qb.getMany();
  }

  /** A user's sessions, newest first (by id, which grows with time), before a cursor. */
  ofUser(
    userId: string,
    limit: number,
    beforeId?: string,
    kind = SessionKind.Sale,
  ): Promise<KioskSessionEntity[]> {
    return this.sessions.find({
      where: { userId, kind, ...(beforeId ? { id: LessThan(beforeId) } : {}) },
      order: { id: 'DESC' },
      take: limit,
    });
  }

  /** Sessions whose own timer should have ended them: UNLOCKING past their unlock, OPEN past the lost time. */
  overdueTimers(unlockExpiredBefore: Date, openedBefore: Date, limit: number): Promise<KioskSessionEntity[]> {
    return this.sessions
      .createQueryBuilder('s')
      .where("(s.status = 'UNLOCKING' AND s.unlock_expires_at < :unlock)", { unlock: unlockExpiredBefore })
      .orWhere("(s.status = 'OPEN' AND s.opened_at < :opened)", { opened: openedBefore })
      .orderBy('s.id')
      .take(limit)
      .getMany();
  }

  /**
   * Sales settled (last changed between `since` and `before`) that were never charged, or whose receipt is
   * not out; and sessions whose correction is pending with no lease held. Newest change first, so what just
   * went wrong is seen before what has waited long (an unpaid balance keeps its receipt back for good).
   */
  unfinished(since: Date, before: Date, limit: number): Promise<KioskSessionEntity[]> {
    return this.sessions
      .createQueryBuilder('s')
      .where("s.status = 'SETTLED' AND s.updated_at >= :since AND s.updated_at < :before", { since, before })
      .andWhere(
        `((s.kind = 'SALE' AND (s.charged_at IS NULL OR s.receipt_sent_at IS NULL))
          OR (s.correction IS NOT NULL AND s.correction_done_at IS NULL
              AND (s.correction_lease_until IS NULL OR s.correction_lease_until < :before)))`,
        { before },
      )
      .orderBy('s.updated_at', 'DESC')
      .take(limit)
      .getMany();
  }
}
